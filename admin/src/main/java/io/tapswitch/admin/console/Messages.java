package io.tapswitch.admin.console;

import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.text.MessageFormat;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;

import org.thymeleaf.context.ITemplateContext;
import org.thymeleaf.messageresolver.AbstractMessageResolver;

/**
 * The console's texts in Ukrainian (first) and English, from {@code console/messages_uk.properties} and
 * {@code console/messages_en.properties} (UTF-8). A key missing in English falls back to Ukrainian. Immutable,
 * thread-safe.
 */
final class Messages extends AbstractMessageResolver
{
    static final Locale UK = Locale.forLanguageTag("uk");
    static final Locale EN = Locale.ENGLISH;
    private final Map<String, Properties> byLanguage = Map.of("uk", load("uk"), "en", load("en"));

    private static Properties load(final String language)
    {
        final Properties properties = new Properties();
        try (InputStream in = Messages.class.getClassLoader().getResourceAsStream("console/messages_" + language + ".properties"))
        {
            if (in == null)
            {
                throw new IllegalStateException("console/messages_" + language + ".properties is missing");
            }
            properties.load(new InputStreamReader(in, StandardCharsets.UTF_8));
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
        return properties;
    }

    /**
     * @param locale the page's language.
     * @param key    a message key.
     * @param args   arguments for {@link MessageFormat}.
     * @return the text (the key itself when unknown, so a missing text shows instead of breaking the page).
     */
    String text(final Locale locale, final String key, final Object... args)
    {
        String text = byLanguage.get(EN.getLanguage().equals(locale.getLanguage()) ? "en" : "uk").getProperty(key);
        if (text == null)
        {
            text = byLanguage.get("uk").getProperty(key, key);
        }
        return args.length == 0 ? text : new MessageFormat(text, locale).format(args);
    }

    @Override
    public String resolveMessage(final ITemplateContext context, final Class<?> origin, final String key, final Object[] args)
    {
        return text(context.getLocale(), key, args == null ? new Object[0] : args);
    }

    @Override
    public String createAbsentMessageRepresentation(final ITemplateContext context, final Class<?> origin, final String key,
        final Object[] args)
    {
        return key;
    }
}
