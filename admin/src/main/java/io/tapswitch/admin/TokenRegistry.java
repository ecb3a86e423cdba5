package io.tapswitch.admin;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.Map;
import java.util.Set;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

/**
 * Bearer tokens and the principals they stand for, from configuration. Tokens are kept only as their
 * SHA-256, so the registry never holds a token's text after construction; lookups compare digests.
 * <p>
 * Immutable after construction, thread-safe.
 */
public final class TokenRegistry
{
    private final Map<String, Principal> byDigestHex;

    private TokenRegistry(final Map<String, Principal> byDigestHex)
    {
        this.byDigestHex = Map.copyOf(byDigestHex);
    }

    /**
     * Reads {@code {"tokens": [{"actor": "...", "roles": ["center_admin"], "token": "..."} |
     * {"actor": ..., "roles": ..., "sha256": "<hex of SHA-256 of the token>"}]}}.
     *
     * @param tokens the {@code tokens} array of the configuration.
     * @return the registry.
     * @throws IllegalArgumentException naming the offending entry when an entry is invalid.
     */
    public static TokenRegistry fromJson(final JsonArray tokens)
    {
        final Map<String, Principal> map = new HashMap<>();
        for (int i = 0; i < tokens.size(); i++)
        {
            final JsonObject entry = tokens.getJsonObject(i);
            final String actor = entry.getString("actor");
            if (actor == null || actor.isBlank())
            {
                throw new IllegalArgumentException("tokens[" + i + "].actor is required");
            }
            final JsonArray roleNames = entry.getJsonArray("roles", new JsonArray());
            final Set<Role> roles = EnumSet.noneOf(Role.class);
            for (int r = 0; r < roleNames.size(); r++)
            {
                final Role role = Role.fromWireName(roleNames.getString(r));
                if (role == null)
                {
                    throw new IllegalArgumentException("tokens[" + i + "].roles[" + r + "]: unknown role '" +
                        roleNames.getString(r) + "'");
                }
                roles.add(role);
            }
            if (roles.isEmpty())
            {
                throw new IllegalArgumentException("tokens[" + i + "].roles must name at least one role");
            }
            final String digestHex;
            if (entry.getString("sha256") != null)
            {
                digestHex = entry.getString("sha256").toLowerCase();
                if (digestHex.length() != 64)
                {
                    throw new IllegalArgumentException("tokens[" + i + "].sha256 must be 64 hex digits");
                }
            }
            else if (entry.getString("token") != null && entry.getString("token").length() >= 16)
            {
                digestHex = digestHex(entry.getString("token"));
            }
            else
            {
                throw new IllegalArgumentException("tokens[" + i + "] needs a token of at least 16 characters or its sha256");
            }
            if (map.put(digestHex, new Principal(actor, Set.copyOf(roles))) != null)
            {
                throw new IllegalArgumentException("tokens[" + i + "]: the same token is configured twice");
            }
        }
        return new TokenRegistry(map);
    }

    /**
     * @param principals token text → principal.
     * @return a registry of these tokens.
     */
    public static TokenRegistry of(final Map<String, Principal> principals)
    {
        final Map<String, Principal> map = new HashMap<>();
        principals.forEach((token, principal) -> map.put(digestHex(token), principal));
        return new TokenRegistry(map);
    }

    /**
     * @return a new random token (32 bytes of {@link SecureRandom}, hex), for a generated demo token.
     */
    public static String randomToken()
    {
        final byte[] bytes = new byte[32];
        new SecureRandom().nextBytes(bytes);
        return HexFormat.of().formatHex(bytes);
    }

    /**
     * @param token the bearer token's text.
     * @return its principal, or null when the token is unknown.
     */
    public Principal authenticate(final String token)
    {
        return byDigestHex.get(digestHex(token));
    }

    public int size()
    {
        return byDigestHex.size();
    }

    static String digestHex(final String token)
    {
        try
        {
            final MessageDigest digest = MessageDigest.getInstance("SHA-256");
            return HexFormat.of().formatHex(digest.digest(token.getBytes(StandardCharsets.UTF_8)));
        }
        catch (final NoSuchAlgorithmException ex)
        {
            throw new IllegalStateException("SHA-256 missing from the JDK", ex);
        }
    }
}
