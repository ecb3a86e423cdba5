package io.tapswitch.switching.engine;

/**
 * Order-sensitive 64-bit running hash used by {@link TableDigest}. Not thread-safe.
 */
final class Digest
{
    private long hash = 0x243F6A8885A308D3L;

    Digest add(final long value)
    {
        hash = LongIndex.mix(hash ^ value) + 0x9E3779B97F4A7C15L;
        return this;
    }

    long value()
    {
        return hash;
    }
}
