package io.tapswitch.switching.engine;

/**
 * The engine's decision state: the tables, the idempotency results and the LOGON nonces. A recovery that finds a
 * damaged snapshot starts again from empty tables ({@link #reset()}); the rule classes therefore read these fields at
 * each decision instead of keeping their own references.
 * <p>
 * Not thread-safe; engine thread.
 */
final class EngineState
{
    private final EngineConfig config;
    Tables tables;
    IdempotencyTable idempotency;
    NonceTable nonces;

    EngineState(final EngineConfig config)
    {
        this.config = config;
        reset();
    }

    /** Empty tables, no idempotency result, no nonce. */
    void reset()
    {
        tables = new Tables(config);
        idempotency = new IdempotencyTable(config.idempotencyCapacity(), config.idempotencyMaxCapacity());
        nonces = new NonceTable(config.nonceCapacity());
    }
}
