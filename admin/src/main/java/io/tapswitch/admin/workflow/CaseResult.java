package io.tapswitch.admin.workflow;

import java.util.List;

/**
 * The result of a case action: OK with the new case state and its effects, or the code and reason it was refused
 * (the case unchanged).
 * <p>
 * Immutable; thread-safe.
 *
 * @param code     OK or why it was refused.
 * @param message  the reason, for people.
 * @param caseFile the case after the action (OK) or null.
 * @param effects  what the action asks to be done.
 */
public record CaseResult(ResultCode code, String message, CaseFile caseFile, List<CaseEffect> effects)
{
    public static CaseResult ok(final CaseFile caseFile, final List<CaseEffect> effects)
    {
        return new CaseResult(ResultCode.OK, "", caseFile, List.copyOf(effects));
    }

    public static CaseResult refused(final ResultCode code, final String message)
    {
        return new CaseResult(code, message, null, List.of());
    }

    public boolean isOk()
    {
        return code == ResultCode.OK;
    }
}
