package io.tapswitch.admin.workflow;

/**
 * How a stage deadline is written in a technological card.
 * <p>
 * Immutable; thread-safe.
 */
public enum DeadlineKind
{
    /** «У момент звернення»: due the day the stage starts. */
    AT_APPLICATION(false),
    /** «У день надходження документів», «У день звернення заявника» for a follow-up stage: due the same day. */
    SAME_DAY(false),
    /** «Не пізніше наступного робочого дня». */
    NEXT_WORKING_DAY(false),
    /** «N робочих днів», «Протягом одного робочого дня»: the N-th working day after the start day. */
    WORKING_DAYS(true),
    /** «До N календарних днів»: N calendar days after the start day (moved to a working day if the calendar says so). */
    CALENDAR_DAYS(true),
    /** «Після ухвалення рішення …»: counted from the committee's decision; with days, that many working days after it. */
    AFTER_COMMITTEE(false),
    /** «У день звернення заявника» for handing something over: waits for the applicant, no due date. */
    ON_APPLICANT_VISIT(false),
    /** The card leaves the deadline blank. */
    NONE(false);

    private final boolean daysRequired;

    DeadlineKind(final boolean daysRequired)
    {
        this.daysRequired = daysRequired;
    }

    public boolean daysRequired()
    {
        return daysRequired;
    }
}
