package io.tapswitch.admin.workflow;

/**
 * What can be done to a case. Stage actions ({@link #REGISTER}, {@link #ADVANCE}, {@link #SUSPEND},
 * {@link #REFUSE}, {@link #COMMITTEE_DECISION}, {@link #ISSUE}, {@link #PAY}) are allowed only where the service
 * card lists them; case actions ({@link #RESUME}, {@link #CLOSE}, {@link #CHECK_DOCUMENT}, {@link #ATTACH}) are
 * allowed to the roles of the stage the case is at.
 * <p>
 * Immutable; thread-safe.
 */
public enum CaseAction
{
    REGISTER(true),
    ADVANCE(true),
    SUSPEND(true),
    RESUME(false),
    REFUSE(true),
    CLOSE(false),
    COMMITTEE_DECISION(true),
    ISSUE(true),
    PAY(true),
    CHECK_DOCUMENT(false),
    ATTACH(false);

    private final boolean stageAction;

    CaseAction(final boolean stageAction)
    {
        this.stageAction = stageAction;
    }

    /**
     * Whether a service card stage must list this action for it to be allowed.
     *
     * @return true for stage actions.
     */
    public boolean isStageAction()
    {
        return stageAction;
    }
}
