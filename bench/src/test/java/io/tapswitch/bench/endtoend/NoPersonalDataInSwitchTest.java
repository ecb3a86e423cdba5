package io.tapswitch.bench.endtoend;

import static io.tapswitch.admin.AdminHarness.ADMIN;
import static io.tapswitch.admin.AdminHarness.DISTRICT;
import static io.tapswitch.admin.AdminHarness.OPERATOR;
import static io.tapswitch.admin.AdminHarness.awaitTrue;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;

import io.tapswitch.admin.AdminHarness;
import io.tapswitch.admin.TestPostgres;
import io.tapswitch.protocol.Decision;
import io.tapswitch.protocol.client.TapResult;
import io.tapswitch.protocol.client.TerminalClient;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The switch holds no personal data beyond ids: a cardholder with a name, patronymic, birth date, tax number and
 * IDP certificate is provisioned through the admin REST API (card, entitlement, terminal), a real TCP tap is approved
 * at the real switch, both stop, and every byte of every file in the switch data directory (journal, command queue,
 * snapshots, metadata) is scanned for those values in UTF-8, UTF-16LE and UTF-16BE. As a check that the scan reads
 * the records, the card id and the holder id (64-bit little-endian) must be found.
 */
class NoPersonalDataInSwitchTest
{
    private static final long CARD = 8_100_001L;

    @TempDir
    Path dataDir;
    @TempDir
    Path switchDir;

    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void shouldKeepNamesTaxNumbersAndCertificatesOutOfTheSwitchDataDirectory() throws Exception
    {
        final Map<String, String> personal = new LinkedHashMap<>();
        personal.put("familyName", "Коваленко-Тестова");
        personal.put("givenName", "Ярина");
        personal.put("patronymic", "Остапівна");
        personal.put("birthDate", "1961-04-12");
        personal.put("taxNumber", "2718281828");
        personal.put("idpCertificate", "ВПО-0314-159265");
        final long holderId;
        try (RealSwitch realSwitch = RealSwitch.start(switchDir, 0);
            AdminHarness admin = new AdminHarness(TestPostgres.newDatabase(), dataDir, switchDir).start())
        {
            assertThat(admin.post("/api/v1/outlets", ADMIN, new JsonObject().put("id", 1).put("name", "Aid point 1")
                .put("kind", "DISTRIBUTION_POINT")).status()).isEqualTo(201);
            assertThat(admin.post("/api/v1/programs", ADMIN, new JsonObject().put("id", 2).put("name", "Hygiene kit")
                .put("kind", "AID").put("funding", "DONOR").put("donor", "Demo Donor").put("unit", "PERSON")
                .put("period", "MONTH").put("quota", 2).put("outletIds", new JsonArray().add(1))).status())
                .isEqualTo(201);
            final JsonObject holder = new JsonObject();
            personal.forEach(holder::put);
            final AdminHarness.Response created = admin.post("/api/v1/cardholders", DISTRICT, holder);
            assertThat(created.status()).as(created.text()).isEqualTo(201);
            holderId = created.json().getLong("id");
            assertThat(admin.post("/api/v1/cards", DISTRICT, new JsonObject().put("id", CARD).put("holderId", holderId)
                .put("kind", "GUEST").put("expiry", "2035-12-31")).status()).isEqualTo(201);
            assertThat(admin.post("/api/v1/cards/" + CARD + "/activate", DISTRICT, null).status()).isEqualTo(200);
            assertThat(admin.post("/api/v1/entitlements", DISTRICT, new JsonObject().put("holderId", holderId)
                .put("programId", 2)).status()).isEqualTo(201);
            final AdminHarness.Response registered = admin.post("/api/v1/terminals", OPERATOR,
                new JsonObject().put("outletId", 1));
            assertThat(registered.status()).isEqualTo(201);
            final long terminalId = registered.json().getLong("id");
            final byte[] key = HexFormat.of().parseHex(registered.json().getString("key"));

            final AtomicReference<TerminalClient> client = new AtomicReference<>();
            awaitTrue("terminal known to the switch", 30_000, () ->
            {
                try
                {
                    client.set(realSwitch.terminal(terminalId, key));
                    return true;
                }
                catch (final TerminalClient.LogonFailedException ex)
                {
                    return false;
                }
            });
            try (TerminalClient terminal = client.get())
            {
                final TapResult tap = terminal.tap(CARD, 2, 1);
                assertThat(tap.decision()).as(tap.toString()).isEqualTo(Decision.APPROVED);
            }
        }

        final List<Path> files;
        try (Stream<Path> walk = Files.walk(switchDir))
        {
            files = walk.filter(Files::isRegularFile).toList();
        }
        assertThat(files).as("journal and command queue files").isNotEmpty();
        final List<String> found = new ArrayList<>();
        boolean cardFound = false;
        boolean holderFound = false;
        for (final Path file : files)
        {
            final byte[] bytes = Files.readAllBytes(file);
            for (final Map.Entry<String, String> field : personal.entrySet())
            {
                for (final Charset charset : List.of(StandardCharsets.UTF_8, StandardCharsets.UTF_16LE,
                    StandardCharsets.UTF_16BE))
                {
                    if (indexOf(bytes, field.getValue().getBytes(charset)) >= 0)
                    {
                        found.add(field.getKey() + " (" + charset + ") in " + switchDir.relativize(file));
                    }
                }
            }
            cardFound |= indexOf(bytes, longLe(CARD)) >= 0;
            holderFound |= indexOf(bytes, longLe(holderId)) >= 0;
        }
        System.out.println("NoPersonalDataInSwitchTest: scanned " + files.size() + " files, " +
            files.stream().mapToLong(NoPersonalDataInSwitchTest::size).sum() + " bytes");
        assertThat(cardFound).as("the scan sees the card id in the switch's records").isTrue();
        assertThat(holderFound).as("the scan sees the holder id in the switch's records").isTrue();
        assertThat(found).as("personal data in the switch data directory").isEmpty();
    }

    private static long size(final Path file)
    {
        try
        {
            return Files.size(file);
        }
        catch (final IOException ex)
        {
            return 0;
        }
    }

    private static byte[] longLe(final long value)
    {
        return ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(value).array();
    }

    private static int indexOf(final byte[] haystack, final byte[] needle)
    {
        outer:
        for (int i = 0; i <= haystack.length - needle.length; i++)
        {
            for (int j = 0; j < needle.length; j++)
            {
                if (haystack[i + j] != needle[j])
                {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }
}
