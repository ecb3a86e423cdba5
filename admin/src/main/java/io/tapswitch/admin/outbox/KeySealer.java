package io.tapswitch.admin.outbox;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Base64;

import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * Seals terminal keys while they wait in the outbox (AES-256-GCM under the admin's master key, kept in
 * {@code <data-dir>/master.key}, mode 0600), so no key rests in PostgreSQL in clear. The outbox erases a
 * sealed key once the command carrying it is published.
 * <p>
 * Thread-safe: each call uses its own {@link Cipher}.
 */
public final class KeySealer
{
    private static final int NONCE_BYTES = 12;
    private static final int TAG_BITS = 128;

    private final SecretKeySpec masterKey;
    private final SecureRandom random = new SecureRandom();

    private KeySealer(final byte[] key)
    {
        this.masterKey = new SecretKeySpec(key, "AES");
    }

    /**
     * @param file the master key file; created with a random 32-byte key when missing.
     * @return the sealer.
     */
    public static KeySealer open(final Path file)
    {
        try
        {
            if (!Files.exists(file))
            {
                Files.createDirectories(file.toAbsolutePath().getParent());
                final byte[] key = new byte[32];
                new SecureRandom().nextBytes(key);
                final Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
                Files.write(tmp, key);
                try
                {
                    Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rw-------"));
                }
                catch (final UnsupportedOperationException ignore)
                {
                    // not a POSIX file system
                }
                Files.move(tmp, file);
            }
            final byte[] key = Files.readAllBytes(file);
            if (key.length != 32)
            {
                throw new IllegalStateException("master key file " + file + " must hold 32 bytes, holds " + key.length);
            }
            return new KeySealer(key);
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot open master key " + file, ex);
        }
    }

    /**
     * @param secret bytes to seal.
     * @return base64 of nonce + ciphertext + tag.
     */
    public String seal(final byte[] secret)
    {
        try
        {
            final byte[] nonce = new byte[NONCE_BYTES];
            random.nextBytes(nonce);
            final Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
            cipher.init(Cipher.ENCRYPT_MODE, masterKey, new GCMParameterSpec(TAG_BITS, nonce));
            final byte[] sealed = cipher.doFinal(secret);
            final byte[] out = new byte[NONCE_BYTES + sealed.length];
            System.arraycopy(nonce, 0, out, 0, NONCE_BYTES);
            System.arraycopy(sealed, 0, out, NONCE_BYTES, sealed.length);
            return Base64.getEncoder().encodeToString(out);
        }
        catch (final GeneralSecurityException ex)
        {
            throw new IllegalStateException("AES-GCM unavailable", ex);
        }
    }

    /**
     * @param sealed what {@link #seal} returned.
     * @return the secret.
     * @throws IllegalStateException when it was sealed under another master key or altered.
     */
    public byte[] open(final String sealed)
    {
        try
        {
            final byte[] in = Base64.getDecoder().decode(sealed);
            final Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
            cipher.init(Cipher.DECRYPT_MODE, masterKey, new GCMParameterSpec(TAG_BITS, in, 0, NONCE_BYTES));
            return cipher.doFinal(in, NONCE_BYTES, in.length - NONCE_BYTES);
        }
        catch (final GeneralSecurityException | IllegalArgumentException ex)
        {
            throw new IllegalStateException("sealed key cannot be opened with this master key", ex);
        }
    }
}
