package io.tapswitch.protocol;

/**
 * Message type codes of Tap Protocol v1 (the {@code type} byte of the frame header).
 * A response type is its request type with {@link #RESPONSE_FLAG} set.
 */
public final class MessageType
{
    public static final int LOGON = 0x01;
    public static final int TAP = 0x02;
    public static final int REVERSAL = 0x03;
    public static final int BALANCE = 0x04;
    public static final int HEARTBEAT = 0x05;

    public static final int RESPONSE_FLAG = 0x80;

    public static final int LOGON_RESULT = LOGON | RESPONSE_FLAG;
    public static final int TAP_RESULT = TAP | RESPONSE_FLAG;
    public static final int REVERSAL_RESULT = REVERSAL | RESPONSE_FLAG;
    public static final int BALANCE_RESULT = BALANCE | RESPONSE_FLAG;
    public static final int HEARTBEAT_RESULT = HEARTBEAT | RESPONSE_FLAG;

    public static final int ERROR = 0x7F;

    private MessageType()
    {
    }

    /**
     * @param type the type byte as an unsigned value 0..255.
     * @return true for the types a terminal may send (0x01..0x05).
     */
    public static boolean isRequest(final int type)
    {
        return type >= LOGON && type <= HEARTBEAT;
    }

    /**
     * @param type the type byte as an unsigned value 0..255.
     * @return true for the types the switch sends (0x81..0x85 and ERROR 0x7F).
     */
    public static boolean isResponse(final int type)
    {
        return (type >= LOGON_RESULT && type <= HEARTBEAT_RESULT) || type == ERROR;
    }

    /**
     * @param type the type byte as an unsigned value 0..255.
     * @return true for the types whose body size is given by a field of the body (BALANCE_RESULT, ERROR).
     */
    public static boolean hasVariableBody(final int type)
    {
        return type == BALANCE_RESULT || type == ERROR;
    }

    /**
     * @param requestType a request type.
     * @return the response type that answers it.
     */
    public static int responseOf(final int requestType)
    {
        return requestType | RESPONSE_FLAG;
    }

    /**
     * @param type the type byte as an unsigned value 0..255.
     * @return the fixed body length in bytes, or -1 for an unknown type or a type whose body is variable
     * (BALANCE_RESULT, ERROR).
     */
    public static int fixedBodyLength(final int type)
    {
        switch (type)
        {
            case LOGON: return Messages.Logon.BODY_LENGTH;
            case LOGON_RESULT: return Messages.LogonResult.BODY_LENGTH;
            case TAP: return Messages.Tap.BODY_LENGTH;
            case TAP_RESULT: return Messages.TapResult.BODY_LENGTH;
            case REVERSAL: return Messages.Reversal.BODY_LENGTH;
            case REVERSAL_RESULT: return Messages.TapResult.BODY_LENGTH;
            case BALANCE: return Messages.Balance.BODY_LENGTH;
            case HEARTBEAT: return Messages.Heartbeat.BODY_LENGTH;
            case HEARTBEAT_RESULT: return Messages.Heartbeat.BODY_LENGTH;
            default: return -1;
        }
    }

    /**
     * @param type the type byte as an unsigned value 0..255.
     * @return the name of the type, or "UNKNOWN".
     */
    public static String name(final int type)
    {
        switch (type)
        {
            case LOGON: return "LOGON";
            case TAP: return "TAP";
            case REVERSAL: return "REVERSAL";
            case BALANCE: return "BALANCE";
            case HEARTBEAT: return "HEARTBEAT";
            case LOGON_RESULT: return "LOGON_RESULT";
            case TAP_RESULT: return "TAP_RESULT";
            case REVERSAL_RESULT: return "REVERSAL_RESULT";
            case BALANCE_RESULT: return "BALANCE_RESULT";
            case HEARTBEAT_RESULT: return "HEARTBEAT_RESULT";
            case ERROR: return "ERROR";
            default: return "UNKNOWN";
        }
    }
}
