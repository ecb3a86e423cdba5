package io.tapswitch.admin.api;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.RoutingContext;

/**
 * The first check of every API request's raw input, before the contract's schema validation, so every
 * operation (of any module) gets it: the body must be {@code application/json} in strict UTF-8, nested at most
 * {@link #MAX_DEPTH} deep, with no control characters (other than tab, line feed, carriage return) and no lone
 * surrogates in any string or member name, no number that does not fit a 64-bit integer or a finite double;
 * query and path values must be strictly percent-encoded UTF-8 with no control characters or lone surrogates.
 * A violation is a 400 (415 for a wrong content type) naming the field as a JSON pointer
 * ({@code /body/familyName}, {@code /query/q}, {@code /path/cardId}); nothing reaches a handler or the database.
 * <p>
 * Why here: PostgreSQL refuses {@code U+0000} in text (a 500 before), and stores a lone surrogate as {@code ?}
 * (a silent change of a person's name before).
 * <p>
 * Stateless, thread-safe.
 */
public final class InputGuard
{
    /** Deepest nesting of arrays and objects accepted in a body. */
    public static final int MAX_DEPTH = 32;
    /** Longest number literal accepted in a body (digits, sign, point, exponent). */
    public static final int MAX_NUMBER_LENGTH = 40;

    private InputGuard()
    {
    }

    /**
     * Root handler: checks the request's path, query and body; fails the request with an {@link ApiException}
     * or passes it on.
     *
     * @param rc the request.
     */
    public static void handle(final RoutingContext rc)
    {
        final ApiException problem = check(rc);
        if (problem != null)
        {
            Problems.send(rc, problem);
            return;
        }
        rc.next();
    }

    /**
     * @param rc the request.
     * @return the problem of a path that is not strict percent-encoded UTF-8 or holds a control character, or null.
     */
    public static ApiException checkRawPath(final RoutingContext rc)
    {
        final String uri = rc.request().uri();
        final int question = uri.indexOf('?');
        return checkPath(question < 0 ? uri : uri.substring(0, question));
    }

    private static ApiException check(final RoutingContext rc)
    {
        final String uri = rc.request().uri();
        final int question = uri.indexOf('?');
        final String rawPath = question < 0 ? uri : uri.substring(0, question);
        final ApiException path = checkPath(rawPath);
        if (path != null)
        {
            return path;
        }
        if (question >= 0)
        {
            final ApiException query = checkQuery(uri.substring(question + 1));
            if (query != null)
            {
                return query;
            }
        }
        final Buffer body = rc.body() == null ? null : rc.body().buffer();
        if (body == null || body.length() == 0)
        {
            return null;
        }
        final HttpMethod method = rc.request().method();
        if (HttpMethod.GET.equals(method) || HttpMethod.HEAD.equals(method) || HttpMethod.DELETE.equals(method))
        {
            return ApiException.badRequest("/body", method.name() + " takes no body");
        }
        final String contentType = rc.request().getHeader("Content-Type");
        if (!isJson(contentType))
        {
            return new ApiException(415, "unsupported-media-type", "Unsupported media type",
                "the body must be application/json (UTF-8); got " + (contentType == null ? "no Content-Type" :
                    "'" + clip(contentType) + "'"), "/header/Content-Type");
        }
        return checkBody(body.getBytes());
    }

    static boolean isJson(final String contentType)
    {
        if (contentType == null)
        {
            return false;
        }
        final String[] parts = contentType.split(";");
        final String media = parts[0].trim().toLowerCase(java.util.Locale.ROOT);
        if (!media.equals("application/json") && !(media.startsWith("application/") && media.endsWith("+json")))
        {
            return false;
        }
        for (int i = 1; i < parts.length; i++)
        {
            final String parameter = parts[i].trim().toLowerCase(java.util.Locale.ROOT);
            if (parameter.startsWith("charset=") && !parameter.substring(8).replace("\"", "").equals("utf-8"))
            {
                return false;
            }
        }
        return true;
    }

    private static ApiException checkPath(final String rawPath)
    {
        final String[] segments = rawPath.split("/", -1);
        for (final String segment : segments)
        {
            final String decoded = percentDecode(segment, false);
            if (decoded == null)
            {
                return ApiException.badRequest("/path", "the path is not percent-encoded UTF-8");
            }
            final String bad = badCharacter(decoded);
            if (bad != null)
            {
                return ApiException.badRequest("/path", "the path contains " + bad);
            }
        }
        return null;
    }

    private static ApiException checkQuery(final String rawQuery)
    {
        for (final String pair : rawQuery.split("&", -1))
        {
            if (pair.isEmpty())
            {
                continue;
            }
            final int eq = pair.indexOf('=');
            final String name = percentDecode(eq < 0 ? pair : pair.substring(0, eq), true);
            if (name == null)
            {
                return ApiException.badRequest("/query", "a query parameter name is not percent-encoded UTF-8");
            }
            final String nameBad = badCharacter(name);
            if (nameBad != null || name.length() > 100)
            {
                return ApiException.badRequest("/query", "a query parameter name is not valid" +
                    (nameBad != null ? ": it contains " + nameBad : ": longer than 100 characters"));
            }
            if (eq >= 0)
            {
                final String field = "/query/" + name;
                final String value = percentDecode(pair.substring(eq + 1), true);
                if (value == null)
                {
                    return ApiException.badRequest(field, name + " is not percent-encoded UTF-8");
                }
                final String bad = badCharacter(value);
                if (bad != null)
                {
                    return ApiException.badRequest(field, name + " contains " + bad);
                }
            }
        }
        return null;
    }

    /**
     * @param text    percent-encoded text.
     * @param plusSpace true for a query: {@code +} is a space.
     * @return the decoded text, or null when a percent escape or the UTF-8 it encodes is malformed.
     */
    static String percentDecode(final String text, final boolean plusSpace)
    {
        if (text.indexOf('%') < 0 && (!plusSpace || text.indexOf('+') < 0))
        {
            return text;
        }
        final ByteArrayOutputStream bytes = new ByteArrayOutputStream(text.length());
        for (int i = 0; i < text.length(); i++)
        {
            final char c = text.charAt(i);
            if (c == '%')
            {
                if (i + 2 >= text.length())
                {
                    return null;
                }
                final int hi = Character.digit(text.charAt(i + 1), 16);
                final int lo = Character.digit(text.charAt(i + 2), 16);
                if (hi < 0 || lo < 0)
                {
                    return null;
                }
                bytes.write(hi << 4 | lo);
                i += 2;
            }
            else if (c == '+' && plusSpace)
            {
                bytes.write(' ');
            }
            else
            {
                final byte[] encoded = String.valueOf(c).getBytes(StandardCharsets.UTF_8);
                bytes.write(encoded, 0, encoded.length);
            }
        }
        return strictUtf8(bytes.toByteArray());
    }

    private static String strictUtf8(final byte[] bytes)
    {
        final CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder()
            .onMalformedInput(CodingErrorAction.REPORT).onUnmappableCharacter(CodingErrorAction.REPORT);
        try
        {
            final CharBuffer chars = decoder.decode(ByteBuffer.wrap(bytes));
            return chars.toString();
        }
        catch (final CharacterCodingException ex)
        {
            return null;
        }
    }

    /**
     * @param text decoded text.
     * @return a description of the first character that no stored text may hold, or null when there is none.
     */
    static String badCharacter(final String text)
    {
        for (int i = 0; i < text.length(); i++)
        {
            final char c = text.charAt(i);
            if (Character.isHighSurrogate(c))
            {
                if (i + 1 < text.length() && Character.isLowSurrogate(text.charAt(i + 1)))
                {
                    i++;
                    continue;
                }
                return String.format("a lone surrogate U+%04X at character %d", (int) c, i);
            }
            if (Character.isLowSurrogate(c))
            {
                return String.format("a lone surrogate U+%04X at character %d", (int) c, i);
            }
            if (c < 0x20 && c != '\t' && c != '\n' && c != '\r' || c >= 0x7F && c <= 0x9F || c == 0xFFFE || c == 0xFFFF)
            {
                return String.format("the control character U+%04X at character %d", (int) c, i);
            }
        }
        return null;
    }

    /**
     * Checks a JSON body without building it: strict UTF-8, nesting, string contents and number sizes, each
     * violation named by the JSON pointer of the member. Syntax errors are left to the JSON parser of the
     * contract validation (a 400 naming {@code /body}).
     *
     * @param bytes the body.
     * @return the problem, or null.
     */
    static ApiException checkBody(final byte[] bytes)
    {
        final String text = strictUtf8(bytes);
        if (text == null)
        {
            return ApiException.badRequest("/body", "the body is not valid UTF-8");
        }
        return new Scanner(text).scan();
    }

    private static String clip(final String text)
    {
        final String visible = text.replaceAll("[\\p{Cntrl}]", "?");
        return visible.length() > 80 ? visible.substring(0, 80) + "…" : visible;
    }

    /** A single pass over a JSON text keeping the pointer of the current member. */
    private static final class Scanner
    {
        private final String text;
        private final List<String> path = new ArrayList<>();
        private final List<int[]> arrayIndex = new ArrayList<>();
        private int pos;

        Scanner(final String text)
        {
            this.text = text;
        }

        private String pointer()
        {
            final StringBuilder sb = new StringBuilder("/body");
            for (final String segment : path)
            {
                sb.append('/').append(segment.replace("~", "~0").replace("/", "~1"));
            }
            return sb.toString();
        }

        ApiException scan()
        {
            // containers: '{' or '['; expectKey: the next string in an object is a member name
            final StringBuilder containers = new StringBuilder();
            boolean expectKey = false;
            while (pos < text.length())
            {
                final char c = text.charAt(pos);
                switch (c)
                {
                    case '{', '[' ->
                    {
                        if (containers.length() >= MAX_DEPTH)
                        {
                            return ApiException.badRequest(pointer(), "the body is nested deeper than " + MAX_DEPTH + " levels");
                        }
                        containers.append(c);
                        if (c == '[')
                        {
                            arrayIndex.add(new int[] {0});
                            path.add("0");
                        }
                        else
                        {
                            arrayIndex.add(null);
                            path.add("");
                        }
                        expectKey = c == '{';
                        pos++;
                    }
                    case '}', ']' ->
                    {
                        if (containers.length() > 0)
                        {
                            containers.setLength(containers.length() - 1);
                            arrayIndex.remove(arrayIndex.size() - 1);
                            path.remove(path.size() - 1);
                        }
                        expectKey = false;
                        pos++;
                    }
                    case ',' ->
                    {
                        if (!arrayIndex.isEmpty())
                        {
                            final int[] index = arrayIndex.get(arrayIndex.size() - 1);
                            if (index != null)
                            {
                                index[0]++;
                                path.set(path.size() - 1, Integer.toString(index[0]));
                            }
                            else
                            {
                                expectKey = true;
                            }
                        }
                        pos++;
                    }
                    case ':' ->
                    {
                        expectKey = false;
                        pos++;
                    }
                    case '"' ->
                    {
                        final boolean key = expectKey && !arrayIndex.isEmpty() && arrayIndex.get(arrayIndex.size() - 1) == null;
                        final StringBuilder value = new StringBuilder();
                        final ApiException bad = readString(value);
                        if (bad != null)
                        {
                            return bad;
                        }
                        if (key)
                        {
                            path.set(path.size() - 1, value.toString());
                            final String what = badCharacter(value.toString());
                            if (what != null)
                            {
                                return ApiException.badRequest(pointer(), "a member name contains " + what);
                            }
                        }
                        else
                        {
                            final String what = badCharacter(value.toString());
                            if (what != null)
                            {
                                return ApiException.badRequest(pointer(), "the text contains " + what);
                            }
                        }
                    }
                    case '-', '0', '1', '2', '3', '4', '5', '6', '7', '8', '9' ->
                    {
                        final int start = pos;
                        while (pos < text.length() && "+-0123456789.eE".indexOf(text.charAt(pos)) >= 0)
                        {
                            pos++;
                        }
                        final ApiException bad = checkNumber(text.substring(start, pos));
                        if (bad != null)
                        {
                            return bad;
                        }
                    }
                    default -> pos++;
                }
            }
            return null;
        }

        private ApiException checkNumber(final String literal)
        {
            if (literal.length() > MAX_NUMBER_LENGTH)
            {
                return ApiException.badRequest(pointer(), "the number has more than " + MAX_NUMBER_LENGTH + " characters");
            }
            final boolean integer = literal.indexOf('.') < 0 && literal.indexOf('e') < 0 && literal.indexOf('E') < 0;
            try
            {
                if (integer)
                {
                    Long.parseLong(literal);
                }
                else if (!Double.isFinite(Double.parseDouble(literal)))
                {
                    return ApiException.badRequest(pointer(), "the number " + literal + " is out of range");
                }
            }
            catch (final NumberFormatException ex)
            {
                if (integer && literal.matches("-?\\d+"))
                {
                    return ApiException.badRequest(pointer(), "the integer " + literal + " does not fit 64 bits");
                }
                // a malformed literal: the JSON parser names it
            }
            return null;
        }

        /** Reads a string literal at {@code pos} (the opening quote), decoding escapes. */
        private ApiException readString(final StringBuilder out)
        {
            pos++;
            while (pos < text.length())
            {
                final char c = text.charAt(pos);
                if (c == '"')
                {
                    pos++;
                    return null;
                }
                if (c == '\\' && pos + 1 < text.length())
                {
                    final char e = text.charAt(pos + 1);
                    if (e == 'u' && pos + 5 < text.length())
                    {
                        try
                        {
                            out.append((char) Integer.parseInt(text.substring(pos + 2, pos + 6), 16));
                        }
                        catch (final NumberFormatException ex)
                        {
                            return ApiException.badRequest(pointer(), "the text has a malformed \\u escape");
                        }
                        pos += 6;
                        continue;
                    }
                    out.append(switch (e)
                    {
                        case 'n' -> '\n';
                        case 't' -> '\t';
                        case 'r' -> '\r';
                        case 'b' -> '\b';
                        case 'f' -> '\f';
                        default -> e;
                    });
                    pos += 2;
                    continue;
                }
                out.append(c);
                pos++;
            }
            return null;
        }
    }
}
