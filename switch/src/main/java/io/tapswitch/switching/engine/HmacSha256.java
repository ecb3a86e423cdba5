package io.tapswitch.switching.engine;

import java.security.DigestException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

import org.agrona.DirectBuffer;

/**
 * HMAC-SHA256 (RFC 2104) over a reused {@link MessageDigest} and reused arrays: verifying a LOGON mac allocates
 * nothing. Keys are the 32-byte terminal keys. Not thread-safe; owned by the engine thread.
 */
final class HmacSha256
{
    static final int KEY_BYTES = 32;
    static final int MAC_BYTES = 32;
    private static final int BLOCK_BYTES = 64;

    private final MessageDigest digest;
    private final byte[] innerPad = new byte[BLOCK_BYTES];
    private final byte[] outerPad = new byte[BLOCK_BYTES];
    private final byte[] message = new byte[BLOCK_BYTES];
    private final byte[] inner = new byte[MAC_BYTES];
    private final byte[] mac = new byte[MAC_BYTES];

    HmacSha256()
    {
        try
        {
            digest = MessageDigest.getInstance("SHA-256");
        }
        catch (final NoSuchAlgorithmException ex)
        {
            throw new IllegalStateException("SHA-256 unavailable", ex);
        }
    }

    /**
     * @return true when {@code expected} equals HMAC-SHA256(key, message) (compared in constant time).
     */
    boolean verify(
        final byte[] keys, final int keyOffset, final DirectBuffer messageBuffer, final int messageOffset,
        final int messageLength, final DirectBuffer expected, final int expectedOffset)
    {
        compute(keys, keyOffset, messageBuffer, messageOffset, messageLength);
        int diff = 0;
        for (int i = 0; i < MAC_BYTES; i++)
        {
            diff |= mac[i] ^ expected.getByte(expectedOffset + i);
        }
        return diff == 0;
    }

    /**
     * Computes the mac into an internal array, returned (valid until the next call).
     */
    byte[] compute(
        final byte[] keys, final int keyOffset, final DirectBuffer messageBuffer, final int messageOffset,
        final int messageLength)
    {
        for (int i = 0; i < BLOCK_BYTES; i++)
        {
            final int k = i < KEY_BYTES ? keys[keyOffset + i] : 0;
            innerPad[i] = (byte)(k ^ 0x36);
            outerPad[i] = (byte)(k ^ 0x5c);
        }
        messageBuffer.getBytes(messageOffset, message, 0, messageLength);
        try
        {
            digest.reset();
            digest.update(innerPad, 0, BLOCK_BYTES);
            digest.update(message, 0, messageLength);
            digest.digest(inner, 0, MAC_BYTES);
            digest.update(outerPad, 0, BLOCK_BYTES);
            digest.update(inner, 0, MAC_BYTES);
            digest.digest(mac, 0, MAC_BYTES);
        }
        catch (final DigestException ex)
        {
            throw new IllegalStateException("SHA-256 digest failed", ex);
        }
        return mac;
    }
}
