package io.tapswitch.switching.engine;

/**
 * Per-table 64-bit digests of an engine's state, computed over every entry in table order. Two engines with equal
 * digests hold the same cards, holders, households, usage, programs, outlets, terminals, idempotency results, nonce
 * memory, sequence and command position. Immutable.
 */
public record TableDigest(
    long sequence,
    long lastCommandId,
    long cards,
    long holders,
    long households,
    long usage,
    long programs,
    long outlets,
    long terminals,
    long idempotency,
    long nonces)
{
}
