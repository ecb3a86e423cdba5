package io.tapswitch.ops;

import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Extracts the metric names a PromQL expression reads: identifiers that are neither functions,
 * aggregations, keywords nor label names (in matchers or in by/without/on/ignoring/group lists).
 */
final class PromQl
{
    private static final Pattern IDENTIFIER = Pattern.compile("[a-zA-Z_:][a-zA-Z0-9_:]*");
    private static final Set<String> KEYWORDS = Set.of(
        "by", "without", "on", "ignoring", "group_left", "group_right", "and", "or", "unless", "offset",
        "bool", "inf", "nan", "Inf", "NaN", "atan2",
        // aggregation operators, which may stand before by/without rather than before '('
        "sum", "min", "max", "avg", "group", "stddev", "stdvar", "count", "count_values", "bottomk", "topk",
        "quantile", "limitk", "limit_ratio");
    private static final Set<String> LABEL_LISTS = Set.of("by", "without", "on", "ignoring", "group_left", "group_right");

    private PromQl()
    {
    }

    static Set<String> metricNames(final String expression)
    {
        final String stripped = stripNested(stripStrings(expression));
        final Set<String> names = new TreeSet<>();
        final Matcher matcher = IDENTIFIER.matcher(stripped);
        int skipUntil = -1;
        while (matcher.find())
        {
            if (matcher.start() < skipUntil)
            {
                continue;
            }
            final String token = matcher.group();
            if (matcher.start() > 0 && isNumberContext(stripped, matcher.start()))
            {
                continue;
            }
            final int next = nextNonSpace(stripped, matcher.end());
            if (LABEL_LISTS.contains(token))
            {
                if (next < stripped.length() && stripped.charAt(next) == '(')
                {
                    skipUntil = stripped.indexOf(')', next);
                }
                continue;
            }
            if (KEYWORDS.contains(token))
            {
                continue;
            }
            if (next < stripped.length() && stripped.charAt(next) == '(')
            {
                continue; // a function or an aggregation
            }
            names.add(token);
        }
        return names;
    }

    private static boolean isNumberContext(final String s, final int start)
    {
        // "1e3" style numbers: a letter that continues a digit run is part of a number
        return Character.isDigit(s.charAt(start - 1)) || s.charAt(start - 1) == '.';
    }

    private static int nextNonSpace(final String s, final int from)
    {
        int i = from;
        while (i < s.length() && Character.isWhitespace(s.charAt(i)))
        {
            i++;
        }
        return i;
    }

    private static String stripStrings(final String s)
    {
        final StringBuilder out = new StringBuilder(s.length());
        char quote = 0;
        for (int i = 0; i < s.length(); i++)
        {
            final char c = s.charAt(i);
            if (quote != 0)
            {
                if (c == '\\')
                {
                    i++;
                }
                else if (c == quote)
                {
                    quote = 0;
                }
                out.append(' ');
            }
            else if (c == '"' || c == '\'' || c == '`')
            {
                quote = c;
                out.append(' ');
            }
            else
            {
                out.append(c);
            }
        }
        return out.toString();
    }

    /** Blanks label matchers {...} and range / subquery selectors [...]. */
    private static String stripNested(final String s)
    {
        final StringBuilder out = new StringBuilder(s.length());
        int curly = 0;
        int square = 0;
        for (int i = 0; i < s.length(); i++)
        {
            final char c = s.charAt(i);
            if (c == '{')
            {
                curly++;
            }
            else if (c == '[')
            {
                square++;
            }
            final boolean inside = curly > 0 || square > 0;
            if (c == '}')
            {
                curly--;
            }
            else if (c == ']')
            {
                square--;
            }
            out.append(inside ? ' ' : c);
        }
        return out.toString();
    }
}
