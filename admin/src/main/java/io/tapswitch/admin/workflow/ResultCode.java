package io.tapswitch.admin.workflow;

/**
 * The outcome of a case action. Everything but {@link #OK} means the action was refused and nothing changed.
 * <p>
 * Immutable; thread-safe.
 */
public enum ResultCode
{
    OK,
    /** The request misses or misstates a field. */
    INVALID_REQUEST,
    /** No such service card (or version). */
    UNKNOWN_SERVICE,
    /** The case was changed since the version the request was based on. */
    STALE_VERSION,
    /** The case is finished (completed, refused or closed). */
    CASE_NOT_OPEN,
    /** The case is left without motion; only resume, close and the checklist are allowed. */
    CASE_SUSPENDED,
    /** Resume asked of a case that is not suspended. */
    NOT_SUSPENDED,
    /** The stage the case is at does not allow the action. */
    ACTION_NOT_ALLOWED,
    /** The stage allows the action, but not to the actor's role. */
    ROLE_NOT_ALLOWED,
    /** The grounds are not among the card's grounds. */
    UNKNOWN_GROUNDS,
    /** Documents the stage needs are not checked as received. */
    MISSING_DOCUMENTS,
    /** The document is not in the card's checklist. */
    UNKNOWN_DOCUMENT,
    /** A committee decision names a case that is not waiting for that committee. */
    NOT_AT_COMMITTEE,
    /** The applicant does not meet a condition the card or program sets (the message names the rule). */
    NOT_ELIGIBLE
}
