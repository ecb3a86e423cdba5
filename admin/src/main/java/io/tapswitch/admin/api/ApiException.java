package io.tapswitch.admin.api;

/**
 * A request refused with an HTTP status and an {@code application/problem+json} body: the expected
 * outcome of bad input, an unknown id, a conflict with the current state or a missing right.
 * Immutable; carries no stack trace (it is an outcome, not a bug).
 */
public final class ApiException extends RuntimeException
{
    private static final long serialVersionUID = 1L;

    private final int status;
    private final String type;
    private final String title;
    private final String field;
    private final java.util.List<String> moreFields;

    /**
     * @param status HTTP status (4xx).
     * @param type   short problem type, e.g. {@code not-found}; rendered as {@code /problems/<type>}.
     * @param title  summary of the problem type.
     * @param detail what exactly is wrong, naming the value.
     * @param field  JSON pointer of the offending input ({@code /body/name}, {@code /path/id}), or null.
     */
    public ApiException(final int status, final String type, final String title, final String detail, final String field)
    {
        super(detail, null, false, false);
        this.status = status;
        this.type = type;
        this.title = title;
        this.field = field;
        this.moreFields = java.util.List.of();
    }

    private ApiException(final ApiException base, final java.util.List<String> moreFields)
    {
        super(base.getMessage(), null, false, false);
        this.status = base.status;
        this.type = base.type;
        this.title = base.title;
        this.field = base.field;
        this.moreFields = java.util.List.copyOf(moreFields);
    }

    /**
     * @param fields further offending inputs (JSON pointers), each given its own {@code errors[]} entry.
     * @return a copy naming them too.
     */
    public ApiException withMoreFields(final java.util.List<String> fields)
    {
        return new ApiException(this, fields);
    }

    /**
     * @return the further offending inputs besides {@link #field()}.
     */
    public java.util.List<String> moreFields()
    {
        return moreFields;
    }

    public static ApiException badRequest(final String field, final String detail)
    {
        return new ApiException(400, "validation", "Request is not valid", detail, field);
    }

    public static ApiException notFound(final String resource, final Object id)
    {
        return new ApiException(404, "not-found", "Resource not found", resource + " " + id + " does not exist", null);
    }

    /**
     * @param field  the input that names the missing resource.
     * @param resource its kind.
     * @param id     the id.
     * @return a 422: the request refers to something that does not exist.
     */
    public static ApiException unknownReference(final String field, final String resource, final Object id)
    {
        return new ApiException(422, "unknown-reference", "Request refers to an unknown resource",
            resource + " " + id + " does not exist", field);
    }

    public static ApiException conflict(final String field, final String detail)
    {
        return new ApiException(409, "conflict", "Request conflicts with the current state", detail, field);
    }

    public int status()
    {
        return status;
    }

    public String type()
    {
        return type;
    }

    public String title()
    {
        return title;
    }

    public String detail()
    {
        return getMessage();
    }

    public String field()
    {
        return field;
    }
}
