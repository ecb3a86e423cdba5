package io.tapswitch.admin.account;

import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.Map;

import io.vertx.ext.auth.hashing.HashingStrategy;

/**
 * Account passwords with PBKDF2-HMAC-SHA512 from Vert.x auth ({@code vertx-auth-common}), stored in its format
 * {@code $pbkdf2$it=N$salt$hash}: a random 16-byte salt per password, {@link #ITERATIONS} iterations (the OWASP
 * figure for PBKDF2-HMAC-SHA512). Verifying costs tens of milliseconds of CPU on purpose: call it off the event loop.
 * <p>
 * Stateless, thread-safe.
 */
public final class PasswordHasher
{
    /** Iterations of PBKDF2-HMAC-SHA512 for new hashes. */
    public static final int ITERATIONS = 210_000;
    /** Shortest password accepted. */
    public static final int MIN_LENGTH = 12;
    /** Longest password accepted (bounds the work of one login). */
    public static final int MAX_LENGTH = 200;
    private static final HashingStrategy STRATEGY = HashingStrategy.load();
    private static final SecureRandom RANDOM = new SecureRandom();
    /** Verified against when the username is unknown, so an unknown name costs as much time as a wrong password. */
    private static final String DUMMY = hash("not a password of anyone");

    private PasswordHasher()
    {
    }

    /**
     * @param password the password.
     * @return its hash with a new random salt.
     */
    public static String hash(final String password)
    {
        final byte[] salt = new byte[16];
        RANDOM.nextBytes(salt);
        return STRATEGY.hash("pbkdf2", Map.of("it", Integer.toString(ITERATIONS)), HexFormat.of().formatHex(salt), password);
    }

    /**
     * @param hash     a stored hash, or null for an unknown account (a dummy hash is verified, and false returned).
     * @param password the password given.
     * @return true when the password matches.
     */
    public static boolean verify(final String hash, final String password)
    {
        if (hash == null)
        {
            STRATEGY.verify(DUMMY, password);
            return false;
        }
        return STRATEGY.verify(hash, password);
    }

    /**
     * @param password a new password.
     * @return why it is refused, or null when acceptable.
     */
    public static String refusal(final String password)
    {
        if (password == null || password.codePointCount(0, password.length()) < MIN_LENGTH)
        {
            return "a password needs at least " + MIN_LENGTH + " characters";
        }
        if (password.length() > MAX_LENGTH)
        {
            return "a password has at most " + MAX_LENGTH + " characters";
        }
        return null;
    }
}
