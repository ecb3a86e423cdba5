package io.tapswitch.protocol;

/**
 * Which frames a reader accepts: the switch reads {@link #REQUESTS} from terminals, a terminal reads
 * {@link #RESPONSES} from the switch. A type outside the reader's direction is an unknown type.
 * Immutable; safe to share between threads.
 */
public enum Direction
{
    /** Frames a terminal sends: 0x01 LOGON .. 0x05 HEARTBEAT. */
    REQUESTS,
    /** Frames the switch sends: 0x81 LOGON_RESULT .. 0x85 HEARTBEAT_RESULT and 0x7F ERROR. */
    RESPONSES;

    /**
     * @param type the type byte as an unsigned value 0..255.
     * @return true when a reader in this direction accepts the type.
     */
    public boolean accepts(final int type)
    {
        return this == REQUESTS ? MessageType.isRequest(type) : MessageType.isResponse(type);
    }
}
