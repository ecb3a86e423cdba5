package io.tapswitch.admin.api;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Date;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import io.tapswitch.admin.Role;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.yaml.snakeyaml.DumperOptions;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

/**
 * The OpenAPI contract of the REST API: the service's own {@code openapi.yaml} merged with the
 * fragments of extension modules ({@link ApiModule#contractResource()}: their {@code paths},
 * {@code components} and {@code tags} are added; a duplicate path or component name fails the start).
 * Each operation names the roles allowed to call it in {@code x-roles}, or is open with
 * {@code x-public: true}.
 * <p>
 * Immutable after construction, thread-safe.
 */
public final class Contract
{
    /** Base path of the API: the contract's paths are relative to it. */
    public static final String BASE_PATH = "/api/v1";
    private static final List<String> METHODS = List.of("get", "put", "post", "delete", "patch");

    private final JsonObject document;
    private final String yaml;
    private final List<OperationSpec> operations;

    /**
     * An operation of the contract as the authorization layer sees it.
     *
     * @param operationId  the contract's operationId.
     * @param method       HTTP method.
     * @param pathTemplate the OpenAPI path template, e.g. {@code /cards/{cardId}} (also the metrics route label).
     * @param roles        roles allowed; empty with {@code open}.
     * @param open         true when no token is needed.
     * @param pattern      the template as a regex over the path below {@link #BASE_PATH}.
     */
    public record OperationSpec(String operationId, HttpMethod method, String pathTemplate, Set<Role> roles, boolean open,
        Pattern pattern)
    {
    }

    /**
     * The longest text any string of a request may hold when its schema names no {@code maxLength} (and no
     * {@code enum}/{@code const}): added to the document itself, so the served contract states it and the
     * validation of every operation (of every module) enforces it with a 400 naming the member.
     */
    public static final int DEFAULT_MAX_STRING_LENGTH = 4000;

    private Contract(final JsonObject document)
    {
        boundStrings(document);
        this.document = document;
        this.yaml = dumpYaml(document);
        this.operations = Collections.unmodifiableList(parseOperations(document));
    }

    /**
     * @param mainResource      classpath resource of the main contract.
     * @param fragmentResources classpath resources of fragments to merge, in order.
     * @return the merged contract.
     * @throws IllegalStateException when a resource is missing, a name is defined twice or an operation
     *                               has neither {@code x-roles} nor {@code x-public}.
     */
    public static Contract load(final String mainResource, final List<String> fragmentResources)
    {
        final JsonObject document = readYaml(mainResource);
        for (final String fragment : fragmentResources)
        {
            merge(document, readYaml(fragment), fragment);
        }
        return new Contract(document);
    }

    private static void merge(final JsonObject target, final JsonObject fragment, final String name)
    {
        mergeSection(target, fragment, "paths", name);
        final JsonObject components = fragment.getJsonObject("components", new JsonObject());
        final JsonObject targetComponents = target.getJsonObject("components");
        for (final String section : components.fieldNames())
        {
            if (!targetComponents.containsKey(section))
            {
                targetComponents.put(section, new JsonObject());
            }
            mergeSection(targetComponents, components, section, name);
        }
        final JsonArray tags = fragment.getJsonArray("tags", new JsonArray());
        final JsonArray targetTags = target.getJsonArray("tags", new JsonArray());
        for (int i = 0; i < tags.size(); i++)
        {
            targetTags.add(tags.getValue(i));
        }
        target.put("tags", targetTags);
    }

    private static void mergeSection(final JsonObject target, final JsonObject source, final String section, final String name)
    {
        final JsonObject from = source.getJsonObject(section, new JsonObject());
        final JsonObject into = target.getJsonObject(section);
        for (final String key : from.fieldNames())
        {
            if (into.containsKey(key))
            {
                throw new IllegalStateException("contract fragment " + name + " redefines " + section + "/" + key);
            }
            into.put(key, from.getValue(key));
        }
    }

    private static void boundStrings(final Object node)
    {
        if (node instanceof JsonObject object)
        {
            final Object type = object.getValue("type");
            final boolean string = "string".equals(type) || type instanceof JsonArray types && types.contains("string");
            if (string && !object.containsKey("maxLength") && !object.containsKey("enum") && !object.containsKey("const"))
            {
                object.put("maxLength", DEFAULT_MAX_STRING_LENGTH);
            }
            for (final String key : object.fieldNames())
            {
                boundStrings(object.getValue(key));
            }
        }
        else if (node instanceof JsonArray array)
        {
            for (int i = 0; i < array.size(); i++)
            {
                boundStrings(array.getValue(i));
            }
        }
    }

    private static List<OperationSpec> parseOperations(final JsonObject document)
    {
        final List<OperationSpec> result = new ArrayList<>();
        final JsonObject paths = document.getJsonObject("paths");
        for (final String template : paths.fieldNames())
        {
            final JsonObject path = paths.getJsonObject(template);
            for (final String method : METHODS)
            {
                final JsonObject operation = path.getJsonObject(method);
                if (operation == null)
                {
                    continue;
                }
                final String operationId = operation.getString("operationId");
                if (operationId == null)
                {
                    throw new IllegalStateException("contract: " + method + " " + template + " has no operationId");
                }
                final boolean open = operation.getBoolean("x-public", false);
                final JsonArray roleNames = operation.getJsonArray("x-roles", new JsonArray());
                final Set<Role> roles = EnumSet.noneOf(Role.class);
                for (int i = 0; i < roleNames.size(); i++)
                {
                    final Role role = Role.fromWireName(roleNames.getString(i));
                    if (role == null)
                    {
                        throw new IllegalStateException("contract: " + operationId + " names unknown role " + roleNames.getString(i));
                    }
                    roles.add(role);
                }
                if (!open && roles.isEmpty())
                {
                    throw new IllegalStateException("contract: " + operationId + " has neither x-roles nor x-public");
                }
                result.add(new OperationSpec(operationId, HttpMethod.valueOf(method.toUpperCase()), template,
                    Set.copyOf(roles), open, compile(template)));
            }
        }
        return result;
    }

    private static Pattern compile(final String template)
    {
        final StringBuilder regex = new StringBuilder("^");
        final Matcher matcher = Pattern.compile("\\{[^}/]+}").matcher(template);
        int last = 0;
        while (matcher.find())
        {
            regex.append(Pattern.quote(template.substring(last, matcher.start()))).append("[^/]+");
            last = matcher.end();
        }
        regex.append(Pattern.quote(template.substring(last))).append("/?$");
        return Pattern.compile(regex.toString());
    }

    /**
     * @param method HTTP method.
     * @param path   request path below {@link #BASE_PATH}.
     * @return the operation, or null when none matches (literal segments win over parameters).
     */
    public OperationSpec match(final HttpMethod method, final String path)
    {
        OperationSpec best = null;
        for (final OperationSpec spec : operations)
        {
            if (spec.method().equals(method) && spec.pattern().matcher(path).matches() &&
                (best == null || literalLength(spec.pathTemplate()) > literalLength(best.pathTemplate())))
            {
                best = spec;
            }
        }
        return best;
    }

    /**
     * @param path request path below {@link #BASE_PATH}.
     * @return true when some operation has this path under another method.
     */
    public boolean hasPath(final String path)
    {
        for (final OperationSpec spec : operations)
        {
            if (spec.pattern().matcher(path).matches())
            {
                return true;
            }
        }
        return false;
    }

    private static int literalLength(final String template)
    {
        return template.replaceAll("\\{[^}]+}", "").length();
    }

    public List<OperationSpec> operations()
    {
        return operations;
    }

    /**
     * @return a copy of the merged document, for {@code OpenAPIContract.from}.
     */
    public JsonObject document()
    {
        return document.copy();
    }

    /**
     * @return a copy of the merged document as the Vert.x validator accepts it: without {@code servers} (it
     * resolves absolute URLs only) and with {@link #BASE_PATH} prefixed to every path instead (the router
     * extracts path parameters by position in the full path) and with
     * without {@code security} (checked by the service before validation), and with
     * {@code application/problem+json} responses declared as {@code application/json} (it does not know the
     * media type; responses are not validated anyway).
     */
    public JsonObject validatorDocument()
    {
        final JsonObject copy = document.copy();
        copy.remove("servers");
        // bearer tokens and x-roles are checked by the service's own root handler, before validation
        copy.remove("security");
        renameMediaType(copy);
        inlineParameterRefs(copy, copy.getJsonObject("components", new JsonObject()).getJsonObject("parameters", new JsonObject()));
        final JsonObject prefixed = new JsonObject();
        copy.getJsonObject("paths").forEach(e -> prefixed.put(BASE_PATH + e.getKey(), e.getValue()));
        copy.put("paths", prefixed);
        return copy;
    }

    /** The validator does not type parameters given by {@code $ref}: they are inlined. */
    private static void inlineParameterRefs(final JsonObject document, final JsonObject parameters)
    {
        final JsonObject paths = document.getJsonObject("paths");
        for (final String template : paths.fieldNames())
        {
            final JsonObject path = paths.getJsonObject(template);
            inlineList(path, parameters);
            // path-level parameters are copied into each operation (the validator converts only those)
            final JsonArray shared = (JsonArray)path.remove("parameters");
            for (final String method : METHODS)
            {
                final JsonObject operation = path.getJsonObject(method);
                if (operation != null)
                {
                    inlineList(operation, parameters);
                    if (shared != null)
                    {
                        final JsonArray own = operation.getJsonArray("parameters", new JsonArray());
                        for (int i = 0; i < shared.size(); i++)
                        {
                            own.add(shared.getJsonObject(i).copy());
                        }
                        operation.put("parameters", own);
                    }
                }
            }
        }
    }

    private static void inlineList(final JsonObject holder, final JsonObject parameters)
    {
        final JsonArray list = holder.getJsonArray("parameters");
        if (list == null)
        {
            return;
        }
        final JsonArray inlined = new JsonArray();
        for (int i = 0; i < list.size(); i++)
        {
            final JsonObject parameter = list.getJsonObject(i);
            final String ref = parameter.getString("$ref");
            if (ref != null && ref.startsWith("#/components/parameters/"))
            {
                final JsonObject target = parameters.getJsonObject(ref.substring("#/components/parameters/".length()));
                if (target == null)
                {
                    throw new IllegalStateException("contract: unresolved parameter " + ref);
                }
                inlined.add(withoutIntegerFormat(target.copy()));
            }
            else
            {
                inlined.add(withoutIntegerFormat(parameter.copy()));
            }
        }
        holder.put("parameters", inlined);
    }

    /**
     * The validator checks int32/int64 formats on a parameter's text before converting it: the format is dropped
     * (the range is still checked by minimum/maximum and by the handlers).
     */
    private static JsonObject withoutIntegerFormat(final JsonObject parameter)
    {
        final JsonObject schema = parameter.getJsonObject("schema");
        if (schema != null && "integer".equals(schema.getValue("type")))
        {
            schema.remove("format");
        }
        return parameter;
    }

    private static void renameMediaType(final Object node)
    {
        if (node instanceof JsonObject object)
        {
            if (object.containsKey(Problems.CONTENT_TYPE))
            {
                object.put("application/json", object.remove(Problems.CONTENT_TYPE));
            }
            for (final String key : object.fieldNames())
            {
                renameMediaType(object.getValue(key));
            }
        }
        else if (node instanceof JsonArray array)
        {
            for (int i = 0; i < array.size(); i++)
            {
                renameMediaType(array.getValue(i));
            }
        }
    }

    /**
     * @return the merged document as YAML, served at {@code /api/v1/openapi.yaml}.
     */
    public String yaml()
    {
        return yaml;
    }

    private static JsonObject readYaml(final String resource)
    {
        try (InputStream in = Contract.class.getClassLoader().getResourceAsStream(resource))
        {
            if (in == null)
            {
                throw new IllegalStateException("contract resource not found on the classpath: " + resource);
            }
            final Yaml yaml = new Yaml(new SafeConstructor(new LoaderOptions()));
            final Object loaded = yaml.load(new String(in.readAllBytes(), StandardCharsets.UTF_8));
            if (!(loaded instanceof Map<?, ?> map))
            {
                throw new IllegalStateException("contract resource is not a YAML mapping: " + resource);
            }
            return new JsonObject(normalize(map));
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot read contract " + resource, ex);
        }
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> normalize(final Map<?, ?> map)
    {
        final Map<String, Object> result = new LinkedHashMap<>();
        map.forEach((key, value) -> result.put(String.valueOf(key), normalizeValue(value)));
        return result;
    }

    private static Object normalizeValue(final Object value)
    {
        if (value instanceof Map<?, ?> map)
        {
            return normalize(map);
        }
        if (value instanceof List<?> list)
        {
            final List<Object> result = new ArrayList<>(list.size());
            for (final Object item : list)
            {
                result.add(normalizeValue(item));
            }
            return result;
        }
        if (value instanceof Date date)
        {
            return date.toInstant().atOffset(ZoneOffset.UTC).toLocalDate().toString();
        }
        return value;
    }

    private static String dumpYaml(final JsonObject document)
    {
        final DumperOptions options = new DumperOptions();
        options.setDefaultFlowStyle(DumperOptions.FlowStyle.BLOCK);
        options.setIndent(2);
        options.setWidth(120);
        options.setAllowUnicode(true);
        // re-decoded so that nested values are plain maps and lists, not JsonObject wrappers
        return new Yaml(options).dump(new JsonObject(document.encode()).getMap());
    }
}
