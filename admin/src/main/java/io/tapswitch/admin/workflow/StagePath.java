package io.tapswitch.admin.workflow;

/**
 * Which line of a technological card a stage belongs to.
 * <p>
 * Immutable; thread-safe.
 */
public enum StagePath
{
    /** Informing the applicant before any case exists. */
    INFO,
    /** The main line from registration to the result. */
    MAIN,
    /** Notices sent when the application is left without motion. */
    SUSPENSION,
    /** Stages walked after a refusal (preparing, passing and handing over the refusal). */
    REFUSAL
}
