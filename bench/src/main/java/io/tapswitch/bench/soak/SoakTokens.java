package io.tapswitch.bench.soak;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.HexFormat;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

/**
 * Bearer tokens of the soak's administrators, one per role it acts as, written into the admin's configuration file
 * ({@code tokens:}) as an operator configures them. Random per run; written to the run's directory only.
 *
 * @param center     a center administrator (cards, entitlements).
 * @param department a department specialist (service card No. 8).
 * @param auditor    an auditor (reports, reads).
 */
public record SoakTokens(String center, String department, String auditor)
{
    public static SoakTokens random()
    {
        final SecureRandom random = new SecureRandom();
        return new SoakTokens(token(random), token(random), token(random));
    }

    private static String token(final SecureRandom random)
    {
        final byte[] bytes = new byte[24];
        random.nextBytes(bytes);
        return HexFormat.of().formatHex(bytes);
    }

    /**
     * Writes the admin's configuration file: these tokens, and the workflow's aid programs as {@code ./tapswitch demo}
     * configures them. Readable by its owner only.
     */
    public Path writeAdminConfig(final Path file) throws java.io.IOException
    {
        final JsonObject config = new JsonObject()
            .put("tokens", new JsonArray()
                .add(new JsonObject().put("actor", "soak-center").put("roles", new JsonArray().add("center_admin")).put("token", center))
                .add(new JsonObject().put("actor", "soak-department").put("roles", new JsonArray().add("department_specialist"))
                    .put("token", department))
                .add(new JsonObject().put("actor", "soak-auditor").put("roles", new JsonArray().add("auditor")).put("token", auditor)))
            .put("workflow", new JsonObject().put("programs", new JsonObject()
                .put("aid.children-with-disabilities", 2)
                .put("aid.difficult-life-situation", 1)));
        Files.createDirectories(file.getParent());
        Files.deleteIfExists(file);
        Files.createFile(file, java.nio.file.attribute.PosixFilePermissions.asFileAttribute(
            java.nio.file.attribute.PosixFilePermissions.fromString("rw-------")));
        Files.writeString(file, config.encodePrettily());
        return file;
    }
}
