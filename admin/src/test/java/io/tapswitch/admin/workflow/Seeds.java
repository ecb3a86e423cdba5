package io.tapswitch.admin.workflow;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The seed documents (the city's texts the catalogue is transcribed from). The two the catalogue is checked against
 * ({@code 001_…}, {@code 003_…}) are copied byte for byte into {@code src/test/resources/seeds}, so the check runs on
 * any clone. {@code -Dtapswitch.seeds=DIR} or env {@code TAPSWITCH_SEEDS} point elsewhere. Where the project's
 * {@code shared/seeds} is also found (beside the repository or in an ancestor, as CI lays it out), each copy must be
 * identical to it: a copy that drifted from the seed fails the test instead of checking against the wrong text.
 */
final class Seeds
{
    private Seeds()
    {
    }

    static Path directory()
    {
        final List<Path> tried = new ArrayList<>();
        final String property = System.getProperty("tapswitch.seeds");
        final String env = System.getenv("TAPSWITCH_SEEDS");
        for (final String given : new String[]{ property, env })
        {
            if (null != given && !given.isBlank())
            {
                final Path dir = Path.of(given).toAbsolutePath();
                tried.add(dir);
                if (Files.isDirectory(dir))
                {
                    return dir;
                }
            }
        }
        final Path copies = copies();
        tried.add(copies);
        if (Files.isDirectory(copies))
        {
            return copies;
        }
        throw new AssertionError("the seed documents are missing: looked at " + tried +
            " (set -Dtapswitch.seeds=DIR or TAPSWITCH_SEEDS to where 003_20490630bba5e4b0.txt and the other seeds are)");
    }

    /** The copies in the test resources (the module's directory is the working directory of its tests). */
    static Path copies()
    {
        return Path.of("src", "test", "resources", "seeds").toAbsolutePath();
    }

    /** The project's shared/seeds beside the repository or in an ancestor directory, or null when there is none. */
    static Path shared()
    {
        for (Path dir = Path.of("").toAbsolutePath(); null != dir; dir = dir.getParent())
        {
            final Path candidate = dir.resolve("shared").resolve("seeds");
            if (Files.isDirectory(candidate))
            {
                return candidate;
            }
        }
        return null;
    }

    static String read(final String name)
    {
        final Path file = directory().resolve(name);
        if (!Files.isRegularFile(file))
        {
            throw new AssertionError("seed " + name + " is missing from " + directory());
        }
        try
        {
            final byte[] bytes = Files.readAllBytes(file);
            final Path shared = shared();
            if (null != shared && Files.isRegularFile(shared.resolve(name)) &&
                !Arrays.equals(bytes, Files.readAllBytes(shared.resolve(name))))
            {
                throw new AssertionError("seed " + file + " differs from " + shared.resolve(name) +
                    ": copy the seed again (cp " + shared.resolve(name) + " " + file + ")");
            }
            return new String(bytes, StandardCharsets.UTF_8);
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
    }

    /**
     * The part of a seed that holds one card: 003's technological card No. N up to the next; 001's information card
     * and technological card of a code up to the next information card.
     */
    static String section(final String seed, final String text, final String code)
    {
        final Pattern start;
        final Pattern next;
        if (seed.startsWith("003_"))
        {
            start = Pattern.compile("ТЕХНОЛОГІЧНА КАРТКА ПУБЛІЧНОЇ ПОСЛУГИ № " + Pattern.quote(code) + "(?!\\d)");
            next = Pattern.compile("ТЕХНОЛОГІЧНА КАРТКА ПУБЛІЧНОЇ ПОСЛУГИ № \\d+");
        }
        else
        {
            start = Pattern.compile("ІНФОРМАЦІЙНА КАРТКА (?:ПОСЛУГИ )?№ " + Pattern.quote(code) + "(?![\\d-])");
            next = Pattern.compile("ІНФОРМАЦІЙНА КАРТКА (?:ПОСЛУГИ )?№ ");
        }
        final Matcher m = start.matcher(text);
        if (!m.find())
        {
            throw new AssertionError("seed " + seed + " has no card " + code);
        }
        final Matcher n = next.matcher(text);
        final int end = n.find(m.end()) ? n.start() : text.length();
        return text.substring(m.start(), end);
    }

    /**
     * Letters and digits only, lower case: the table layout (line breaks, hyphens at breaks, spacing) and the
     * converter's markup ({@code <p>} tags, {@code [bookmark: _Hlk…]} anchors) undone.
     */
    static String normalize(final String text)
    {
        final StringBuilder out = new StringBuilder(text.length());
        text.replaceAll("</?p>", " ").replaceAll("\\[bookmark:[^\\]]*\\]", " ").toLowerCase(Locale.ROOT).codePoints().filter(Character::isLetterOrDigit).forEach(out::appendCodePoint);
        return out.toString();
    }

    /**
     * Whether {@code text} is in {@code section} verbatim but for layout: its normalized form is found in order, in
     * at most {@code maxPieces} pieces of at least 6 characters (a cell split over a page break is two pieces with
     * the other columns' cells between them).
     *
     * @return null when found, else the part not found.
     */
    static String missing(final String normalizedSection, final String text, final int maxPieces)
    {
        String rest = normalize(text);
        int from = 0;
        for (int piece = 0; piece < maxPieces && !rest.isEmpty(); piece++)
        {
            int lo = 0;
            int hi = rest.length();
            int at = -1;
            // the longest prefix of rest found after `from` (a shorter prefix is found wherever a longer one is)
            while (lo < hi)
            {
                final int mid = (lo + hi + 1) / 2;
                final int idx = normalizedSection.indexOf(rest.substring(0, mid), from);
                if (idx >= 0)
                {
                    lo = mid;
                }
                else
                {
                    hi = mid - 1;
                }
            }
            if (lo < Math.min(6, rest.length()))
            {
                return rest;
            }
            at = normalizedSection.indexOf(rest.substring(0, lo), from);
            from = at + lo;
            rest = rest.substring(lo);
        }
        return rest.isEmpty() ? null : rest;
    }
}
