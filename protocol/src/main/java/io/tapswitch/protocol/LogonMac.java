package io.tapswitch.protocol;

import java.security.DigestException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;

import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

/**
 * The LOGON mac: HMAC-SHA256 (RFC 2104) keyed with the terminal's key over LOGON body bytes 0..31
 * (terminalId, timestampMillis, nonce exactly as they stand on the wire).
 * <p>
 * HMAC is computed directly over a reused {@link MessageDigest} with the inner and outer padded keys kept in
 * arrays, so neither {@link #key} nor {@link #compute}, {@link #sign} or {@link #verify} allocates after
 * construction (a JCE {@code Mac} copies the key on every init). Verification compares in constant time.
 * <p>
 * Holds key material: not thread-safe, one instance per thread (the engine thread on the switch, the
 * connection's thread on a terminal). Never logs or prints the key; {@link #clearKey()} wipes it.
 */
public final class LogonMac
{
    /** HMAC-SHA256 output size. */
    public static final int MAC_BYTES = Messages.Logon.MAC_BYTES;
    /** Size of a terminal key as provisioned by the admin service. */
    public static final int KEY_BYTES = 32;

    private static final int BLOCK_BYTES = 64;
    private static final byte IPAD = 0x36;
    private static final byte OPAD = 0x5C;

    private final MessageDigest sha256;
    private final byte[] innerPad = new byte[BLOCK_BYTES];
    private final byte[] outerPad = new byte[BLOCK_BYTES];
    private final byte[] keyBlock = new byte[BLOCK_BYTES];
    private final byte[] message = new byte[Messages.Logon.MAC_INPUT_BYTES];
    private final byte[] innerHash = new byte[MAC_BYTES];
    private final byte[] mac = new byte[MAC_BYTES];
    private boolean hasKey;

    public LogonMac()
    {
        try
        {
            sha256 = MessageDigest.getInstance("SHA-256");
        }
        catch (final NoSuchAlgorithmException ex)
        {
            throw new IllegalStateException("SHA-256 is not available in this JVM", ex);
        }
    }

    /**
     * Sets the key for the following computations. Keys longer than 64 bytes are hashed first as RFC 2104
     * prescribes; terminal keys are 32 bytes.
     *
     * @param key         key bytes.
     * @param keyOffset   where they start.
     * @param lengthBytes key size.
     * @return this for fluent use.
     */
    public LogonMac key(final byte[] key, final int keyOffset, final int lengthBytes)
    {
        Arrays.fill(keyBlock, (byte)0);
        if (lengthBytes > BLOCK_BYTES)
        {
            sha256.reset();
            sha256.update(key, keyOffset, lengthBytes);
            digestInto(keyBlock, 0);
        }
        else
        {
            System.arraycopy(key, keyOffset, keyBlock, 0, lengthBytes);
        }
        derivePads();
        return this;
    }

    /**
     * Sets a whole array as the key.
     *
     * @param key key bytes.
     * @return this for fluent use.
     */
    public LogonMac key(final byte[] key)
    {
        return key(key, 0, key.length);
    }

    /**
     * Sets the key from a buffer (e.g. a terminal table held off-heap), without allocating.
     *
     * @param key         buffer holding the key.
     * @param keyOffset   where it starts.
     * @param lengthBytes key size, at most 64.
     * @return this for fluent use.
     */
    public LogonMac key(final DirectBuffer key, final int keyOffset, final int lengthBytes)
    {
        if (lengthBytes < 0 || lengthBytes > BLOCK_BYTES)
        {
            throw new IllegalArgumentException("key lengthBytes=" + lengthBytes + " not in 0.." + BLOCK_BYTES);
        }
        Arrays.fill(keyBlock, (byte)0);
        key.getBytes(keyOffset, keyBlock, 0, lengthBytes);
        derivePads();
        return this;
    }

    /**
     * Wipes the key material held by this instance.
     */
    public void clearKey()
    {
        Arrays.fill(innerPad, (byte)0);
        Arrays.fill(outerPad, (byte)0);
        Arrays.fill(mac, (byte)0);
        Arrays.fill(innerHash, (byte)0);
        hasKey = false;
    }

    /**
     * Computes the mac of a LOGON frame.
     *
     * @param frame       buffer holding the LOGON frame (header included).
     * @param frameOffset where the frame starts.
     * @param dst         receives the 32 mac bytes.
     * @param dstOffset   where to write them.
     */
    public void compute(final DirectBuffer frame, final int frameOffset, final byte[] dst, final int dstOffset)
    {
        macOf(frame, frameOffset);
        System.arraycopy(mac, 0, dst, dstOffset, MAC_BYTES);
    }

    /**
     * Computes the mac of a LOGON frame whose terminalId, timestamp and nonce are written, and writes it into
     * the frame's mac field.
     *
     * @param frame       buffer holding the LOGON frame (header included).
     * @param frameOffset where the frame starts.
     */
    public void sign(final MutableDirectBuffer frame, final int frameOffset)
    {
        macOf(frame, frameOffset);
        frame.putBytes(frameOffset + FrameHeader.BODY_OFFSET + Messages.Logon.MAC_OFFSET, mac, 0, MAC_BYTES);
    }

    /**
     * Checks the mac field of a LOGON frame against the mac computed with the current key, in time that does
     * not depend on where the bytes differ.
     *
     * @param frame       buffer holding the LOGON frame (header included).
     * @param frameOffset where the frame starts.
     * @return true when the frame's mac is right for the key.
     */
    public boolean verify(final DirectBuffer frame, final int frameOffset)
    {
        macOf(frame, frameOffset);
        final int macOffset = frameOffset + FrameHeader.BODY_OFFSET + Messages.Logon.MAC_OFFSET;
        int difference = 0;
        for (int i = 0; i < MAC_BYTES; i++)
        {
            difference |= mac[i] ^ frame.getByte(macOffset + i);
        }
        return difference == 0;
    }

    /**
     * Compares two byte ranges in time that depends only on their length.
     *
     * @return true when the ranges hold the same bytes.
     */
    public static boolean constantTimeEquals(
        final byte[] a, final int aOffset, final byte[] b, final int bOffset, final int lengthBytes)
    {
        int difference = 0;
        for (int i = 0; i < lengthBytes; i++)
        {
            difference |= a[aOffset + i] ^ b[bOffset + i];
        }
        return difference == 0;
    }

    private void derivePads()
    {
        for (int i = 0; i < BLOCK_BYTES; i++)
        {
            innerPad[i] = (byte)(keyBlock[i] ^ IPAD);
            outerPad[i] = (byte)(keyBlock[i] ^ OPAD);
        }
        Arrays.fill(keyBlock, (byte)0);
        hasKey = true;
    }

    private void macOf(final DirectBuffer frame, final int frameOffset)
    {
        if (!hasKey)
        {
            throw new IllegalStateException("LogonMac used before a key was set");
        }
        frame.getBytes(frameOffset + FrameHeader.BODY_OFFSET, message, 0, Messages.Logon.MAC_INPUT_BYTES);
        sha256.reset();
        sha256.update(innerPad, 0, BLOCK_BYTES);
        sha256.update(message, 0, Messages.Logon.MAC_INPUT_BYTES);
        digestInto(innerHash, 0);
        sha256.update(outerPad, 0, BLOCK_BYTES);
        sha256.update(innerHash, 0, MAC_BYTES);
        digestInto(mac, 0);
    }

    private void digestInto(final byte[] dst, final int dstOffset)
    {
        try
        {
            sha256.digest(dst, dstOffset, MAC_BYTES);
        }
        catch (final DigestException ex)
        {
            throw new IllegalStateException("SHA-256 digest failed", ex);
        }
    }

    @Override
    public String toString()
    {
        return "LogonMac{hasKey=" + hasKey + "}";
    }
}
