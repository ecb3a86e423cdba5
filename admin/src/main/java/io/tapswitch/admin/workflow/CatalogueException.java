package io.tapswitch.admin.workflow;

import java.util.List;

/**
 * The catalogue or calendar data failed validation; carries every problem found, each naming the file, the card
 * and the stage.
 */
public final class CatalogueException extends RuntimeException
{
    private static final long serialVersionUID = 1L;

    private final List<String> problems;

    public CatalogueException(final List<String> problems)
    {
        super("invalid workflow data (" + problems.size() + " problem(s)):\n  " + String.join("\n  ", problems));
        this.problems = List.copyOf(problems);
    }

    public List<String> problems()
    {
        return problems;
    }
}
