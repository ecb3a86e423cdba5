package io.tapswitch.admin.workflow;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

import io.tapswitch.admin.Role;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

/**
 * Loads the service-card catalogue (an {@code index.json} naming one JSON file per card version) and validates it
 * against the catalogue schema once, at start. Every problem is collected and reported together, each naming the
 * file, the card and the stage; nothing is loaded when any is found.
 * <p>
 * Stateless; thread-safe.
 */
public final class CatalogueLoader
{
    /** The classpath directory of the shipped catalogue. */
    public static final String CLASSPATH_DIR = "catalogue/";

    private static final Set<String> CARD_FIELDS = Set.of("code", "version", "effectiveFrom", "source", "titleUk",
        "titleEn", "ministryCategory", "defaultTermBody", "terms", "termNoteUk", "documentsGiven", "documents",
        "suspensionGrounds", "refusalGrounds", "closingGrounds", "seedGaps", "result", "outcome", "stages");
    private static final Set<String> STAGE_FIELDS = Set.of("no", "path", "titleUk", "titleEn", "officialUk",
        "bodyUk", "roles", "bodies", "deadline", "actions", "committee", "requiresDocuments", "onlyIfIntakeAt");
    private static final Set<String> CARD_KINDS = Set.of("RESIDENT", "GUEST", "SOCIAL");
    private static final Set<String> PAYEES = Set.of("APPLICANT", "PROVIDER");
    private static final Set<String> FUNDING_SOURCES = Set.of("CITY_BUDGET", "STATE_BUDGET", "DONOR");

    private CatalogueLoader()
    {
    }

    /**
     * @return the catalogue shipped in the admin module's resources.
     * @throws CatalogueException when it does not validate.
     */
    public static Catalogue loadShipped()
    {
        return load((name) -> readClasspath(CLASSPATH_DIR + name));
    }

    /**
     * @param directory a directory holding {@code index.json} and the card files it names.
     * @return the catalogue.
     * @throws CatalogueException when it does not validate.
     */
    public static Catalogue loadDirectory(final Path directory)
    {
        return load((name) ->
        {
            final Path file = directory.resolve(name);
            if (!Files.isRegularFile(file))
            {
                return null;
            }
            try
            {
                return Files.readString(file, StandardCharsets.UTF_8);
            }
            catch (final IOException ex)
            {
                throw new UncheckedIOException(ex);
            }
        });
    }

    private static Catalogue load(final Function<String, String> reader)
    {
        final List<String> problems = new ArrayList<>();
        final String index = reader.apply("index.json");
        if (null == index)
        {
            throw new CatalogueException(List.of("index.json: missing"));
        }
        final JsonObject indexJson;
        try
        {
            indexJson = new JsonObject(index);
        }
        catch (final DecodeException ex)
        {
            throw new CatalogueException(List.of("index.json: not valid JSON: " + ex.getMessage()));
        }
        final JsonArray files = indexJson.getJsonArray("files");
        if (null == files || files.isEmpty())
        {
            throw new CatalogueException(List.of("index.json: 'files' must list at least one card file"));
        }
        final List<ServiceCard> cards = new ArrayList<>();
        final Map<String, JsonObject> documents = new LinkedHashMap<>();
        final Set<String> keys = new HashSet<>();
        for (final Object entry : files)
        {
            final String fileName = String.valueOf(entry);
            final String text = reader.apply(fileName);
            if (null == text)
            {
                problems.add(fileName + ": listed in index.json but missing");
                continue;
            }
            final ServiceCard card = parseCard(fileName, text, problems);
            if (null != card && !keys.add(card.key()))
            {
                problems.add(fileName + ": card " + card.code() + ": version " + card.version() +
                    " is defined twice");
            }
            if (null != card)
            {
                cards.add(card);
                documents.put(card.key(), new JsonObject(text));
            }
        }
        if (!problems.isEmpty())
        {
            throw new CatalogueException(problems);
        }
        return new Catalogue(cards, documents);
    }

    /**
     * Parses and validates one card file.
     *
     * @param fileName the file's name, used in problems.
     * @param text     its content.
     * @param problems where problems are added.
     * @return the card, or null when any problem was found in it.
     */
    public static ServiceCard parseCard(final String fileName, final String text, final List<String> problems)
    {
        final JsonObject json;
        try
        {
            json = new JsonObject(text);
        }
        catch (final DecodeException ex)
        {
            problems.add(fileName + ": not valid JSON: " + ex.getMessage());
            return null;
        }
        final int before = problems.size();
        final String code = json.getValue("code") instanceof String ? json.getString("code") : "?";
        final Ctx card = new Ctx(problems, fileName + ": card " + code);
        unknownFields(card, json, CARD_FIELDS);
        card.text(json, "code");
        final int version = card.positiveInt(json, "version");
        final LocalDate effectiveFrom = card.date(json, "effectiveFrom");
        final JsonObject sourceJson = card.object(json, "source");
        ServiceCard.Source source = null;
        if (null != sourceJson)
        {
            final Ctx sourceCtx = card.at("source");
            source = new ServiceCard.Source(sourceCtx.text(sourceJson, "seed"), sourceCtx.text(sourceJson, "documentUk"),
                sourceCtx.text(sourceJson, "cardUk"));
        }
        final String titleUk = card.text(json, "titleUk");
        final String titleEn = card.text(json, "titleEn");
        final ServiceCard.MinistryCategory ministryCategory = json.getValue("ministryCategory") == null ? null :
            card.enumValue(json, "ministryCategory", ServiceCard.MinistryCategory.class);
        final Body defaultTermBody = card.enumValue(json, "defaultTermBody", Body.class);

        final List<ServiceCard.Term> terms = new ArrayList<>();
        final JsonArray termsJson = card.array(json, "terms", true);
        final Set<Body> termBodies = EnumSet.noneOf(Body.class);
        for (int i = 0; null != termsJson && i < termsJson.size(); i++)
        {
            final Ctx termCtx = card.at("terms[" + i + "]");
            final JsonObject termJson = termCtx.element(termsJson, i);
            if (null == termJson)
            {
                continue;
            }
            final Body body = termCtx.enumValue(termJson, "body", Body.class);
            final DeadlineKind kind = termCtx.enumValue(termJson, "kind", DeadlineKind.class);
            if (null != kind && kind != DeadlineKind.CALENDAR_DAYS && kind != DeadlineKind.WORKING_DAYS)
            {
                termCtx.problem("kind must be CALENDAR_DAYS or WORKING_DAYS, was " + kind);
            }
            final int days = termCtx.positiveInt(termJson, "days");
            if (null != body && !termBodies.add(body))
            {
                termCtx.problem("body " + body + " has two terms");
            }
            final Object immediate = termJson.getValue("idpImmediate", Boolean.FALSE);
            if (!(immediate instanceof Boolean))
            {
                termCtx.problem("idpImmediate must be true or false, was " + immediate);
            }
            final String termText = termCtx.text(termJson, "textUk");
            if (Boolean.TRUE.equals(immediate) && null != termText && !termText.contains("невідкладно"))
            {
                termCtx.problem("idpImmediate needs the term's text to say «невідкладно»");
            }
            terms.add(new ServiceCard.Term(body, kind, days, termText, Boolean.TRUE.equals(immediate)));
        }
        if (null != defaultTermBody && !termBodies.contains(defaultTermBody))
        {
            card.problem("defaultTermBody " + defaultTermBody + " has no term");
        }
        final String termNoteUk = json.getString("termNoteUk", "");
        final boolean documentsGiven = card.bool(json, "documentsGiven");

        final List<ServiceCard.DocumentSpec> documents = new ArrayList<>();
        final Set<String> documentCodes = new HashSet<>();
        final JsonArray documentsJson = card.array(json, "documents", false);
        for (int i = 0; null != documentsJson && i < documentsJson.size(); i++)
        {
            final Ctx docCtx = card.at("documents[" + i + "]");
            final JsonObject docJson = docCtx.element(documentsJson, i);
            if (null == docJson)
            {
                continue;
            }
            final String docCode = docCtx.text(docJson, "code");
            if (null != docCode && !documentCodes.add(docCode))
            {
                docCtx.problem("document code '" + docCode + "' is used twice");
            }
            documents.add(new ServiceCard.DocumentSpec(docCode, docJson.getString("groupUk", ""),
                docCtx.text(docJson, "titleUk"),
                docCtx.text(docJson, "titleEn"), docCtx.bool(docJson, "required"), docJson.getString("conditionUk", ""),
                docJson.getBoolean("addedByOffice", false)));
        }
        if (documentsGiven && documents.isEmpty())
        {
            card.problem("documentsGiven is true but documents is empty");
        }

        final List<ServiceCard.Grounds> suspensionGrounds = grounds(card, json, "suspensionGrounds");
        final List<ServiceCard.Grounds> refusalGrounds = grounds(card, json, "refusalGrounds");
        final List<ServiceCard.Grounds> closingGrounds = grounds(card, json, "closingGrounds");
        final List<String> seedGaps = new ArrayList<>();
        final Object gapsJson = json.getValue("seedGaps");
        if (gapsJson instanceof JsonArray)
        {
            for (final Object gap : (JsonArray)gapsJson)
            {
                if (!(gap instanceof String) || ((String)gap).isBlank())
                {
                    card.problem("seedGaps must hold non-empty strings, found " + gap);
                }
                else
                {
                    seedGaps.add((String)gap);
                }
            }
        }
        else if (null != gapsJson)
        {
            card.problem("seedGaps must be an array of strings");
        }

        final JsonObject resultJson = card.object(json, "result");
        ServiceCard.Result result = null;
        if (null != resultJson)
        {
            final Ctx resultCtx = card.at("result");
            result = new ServiceCard.Result(resultCtx.text(resultJson, "textUk"), resultCtx.text(resultJson, "textEn"));
        }

        final JsonObject outcomeJson = card.object(json, "outcome");
        ServiceCard.Outcome outcome = null;
        if (null != outcomeJson)
        {
            final Ctx outcomeCtx = card.at("outcome");
            final OutcomeType type = outcomeCtx.enumValue(outcomeJson, "type", OutcomeType.class);
            final String cardKind = outcomeJson.getString("cardKind");
            final String idpCardKind = outcomeJson.getString("idpCardKind");
            final String programKey = outcomeJson.getString("programKey");
            final String payee = outcomeJson.getString("payee");
            final String fundingSource = outcomeJson.getString("fundingSource");
            if (type == OutcomeType.PAYMENT)
            {
                if (!PAYEES.contains(String.valueOf(payee)))
                {
                    outcomeCtx.problem("payee must be one of " + PAYEES + ", was " + payee);
                }
                if (!FUNDING_SOURCES.contains(String.valueOf(fundingSource)))
                {
                    outcomeCtx.problem("fundingSource must be one of " + FUNDING_SOURCES + ", was " + fundingSource);
                }
            }
            if (type == OutcomeType.ISSUE_CARD)
            {
                if (!CARD_KINDS.contains(String.valueOf(cardKind)))
                {
                    outcomeCtx.problem("cardKind must be one of " + CARD_KINDS + ", was " + cardKind);
                }
                if (null != idpCardKind && !CARD_KINDS.contains(idpCardKind))
                {
                    outcomeCtx.problem("idpCardKind must be one of " + CARD_KINDS + ", was " + idpCardKind);
                }
            }
            if (type == OutcomeType.GRANT_ENTITLEMENT && (null == programKey || programKey.isBlank()))
            {
                outcomeCtx.problem("programKey is required for GRANT_ENTITLEMENT");
            }
            outcome = new ServiceCard.Outcome(type, cardKind, idpCardKind, programKey, payee, fundingSource);
        }

        final List<ServiceCard.Stage> stages = stages(card, json, documentCodes);
        validateFlow(card, stages, outcome);
        if (problems.size() > before)
        {
            return null;
        }
        return new ServiceCard(code, version, effectiveFrom, source, titleUk, titleEn, ministryCategory,
            defaultTermBody, List.copyOf(terms), termNoteUk, documentsGiven, List.copyOf(documents),
            suspensionGrounds, refusalGrounds, closingGrounds, List.copyOf(seedGaps), result, outcome, stages);
    }

    private static List<ServiceCard.Stage> stages(final Ctx card, final JsonObject json, final Set<String> documentCodes)
    {
        final List<ServiceCard.Stage> stages = new ArrayList<>();
        final JsonArray stagesJson = card.array(json, "stages", true);
        final Set<String> numbers = new HashSet<>();
        for (int i = 0; null != stagesJson && i < stagesJson.size(); i++)
        {
            final Object raw = stagesJson.getValue(i);
            final Object rawNo = raw instanceof JsonObject ? ((JsonObject)raw).getValue("no") : null;
            final Ctx ctx = card.at("stage " + (rawNo instanceof String ? rawNo : "#" + (i + 1)));
            final JsonObject stageJson = ctx.element(stagesJson, i);
            if (null == stageJson)
            {
                continue;
            }
            unknownFields(ctx, stageJson, STAGE_FIELDS);
            final String no = ctx.text(stageJson, "no");
            if (null != no && !numbers.add(no))
            {
                ctx.problem("stage number is used twice");
            }
            final StagePath path = ctx.enumValue(stageJson, "path", StagePath.class);
            final Set<Role> roles = ctx.enumSet(stageJson, "roles", Role.class);
            final Set<Body> bodies = ctx.enumSet(stageJson, "bodies", Body.class);

            final JsonObject deadlineJson = ctx.object(stageJson, "deadline");
            ServiceCard.Deadline deadline = null;
            if (null != deadlineJson)
            {
                final Ctx deadlineCtx = ctx.at("deadline");
                final DeadlineKind kind = deadlineCtx.enumValue(deadlineJson, "kind", DeadlineKind.class);
                int days = 0;
                if (null != kind && kind.daysRequired())
                {
                    days = deadlineCtx.positiveInt(deadlineJson, "days");
                }
                else if (deadlineJson.containsKey("days"))
                {
                    if (kind == DeadlineKind.AFTER_COMMITTEE)
                    {
                        days = deadlineCtx.positiveInt(deadlineJson, "days");
                    }
                    else if (null != kind)
                    {
                        deadlineCtx.problem("kind " + kind + " takes no days");
                    }
                }
                final String textUk = deadlineJson.getValue("textUk") instanceof String ?
                    deadlineJson.getString("textUk") : null;
                if (null == textUk || (textUk.isBlank() && kind != DeadlineKind.NONE))
                {
                    deadlineCtx.problem("textUk (the deadline as written) is required");
                }
                deadline = new ServiceCard.Deadline(kind, days, textUk);
            }

            final Map<CaseAction, ServiceCard.StageAction> actions = new EnumMap<>(CaseAction.class);
            final JsonArray actionsJson = ctx.array(stageJson, "actions", false);
            for (int a = 0; null != actionsJson && a < actionsJson.size(); a++)
            {
                final Ctx actionCtx = ctx.at("actions[" + a + "]");
                final JsonObject actionJson = actionCtx.element(actionsJson, a);
                if (null == actionJson)
                {
                    continue;
                }
                final CaseAction action = actionCtx.enumValue(actionJson, "action", CaseAction.class);
                if (null == action)
                {
                    continue;
                }
                if (!action.isStageAction())
                {
                    actionCtx.problem("action " + action + " is a case action, not a stage action");
                }
                final Set<Role> actionRoles = actionJson.containsKey("roles") ?
                    actionCtx.enumSet(actionJson, "roles", Role.class) : roles;
                final List<String> actionPath = new ArrayList<>();
                final JsonArray pathJson = actionJson.getJsonArray("path");
                if (null != pathJson)
                {
                    for (final Object step : pathJson)
                    {
                        actionPath.add(String.valueOf(step));
                    }
                }
                if (actions.put(action, new ServiceCard.StageAction(action, actionRoles, List.copyOf(actionPath))) !=
                    null)
                {
                    actionCtx.problem("action " + action + " is listed twice");
                }
            }

            ServiceCard.Committee committee = null;
            final JsonObject committeeJson = stageJson.getJsonObject("committee");
            if (null != committeeJson)
            {
                final Ctx committeeCtx = ctx.at("committee");
                committee = new ServiceCard.Committee(committeeCtx.text(committeeJson, "code"),
                    committeeCtx.text(committeeJson, "titleUk"), committeeCtx.text(committeeJson, "titleEn"));
            }

            final List<String> requiresDocuments = new ArrayList<>();
            final JsonArray requiresJson = stageJson.getJsonArray("requiresDocuments");
            if (null != requiresJson)
            {
                for (final Object docCode : requiresJson)
                {
                    if (!documentCodes.contains(String.valueOf(docCode)))
                    {
                        ctx.problem("requiresDocuments names unknown document '" + docCode + "'");
                    }
                    requiresDocuments.add(String.valueOf(docCode));
                }
            }
            final Body onlyIfIntakeAt = stageJson.getValue("onlyIfIntakeAt") == null ? null :
                ctx.enumValue(stageJson, "onlyIfIntakeAt", Body.class);

            stages.add(new ServiceCard.Stage(no, path, ctx.text(stageJson, "titleUk"), ctx.text(stageJson, "titleEn"),
                ctx.text(stageJson, "officialUk"), blankable(ctx, stageJson, "bodyUk"), roles, bodies, deadline,
                Collections.unmodifiableMap(actions), committee, List.copyOf(requiresDocuments), onlyIfIntakeAt));
        }
        return List.copyOf(stages);
    }

    private static void validateFlow(final Ctx card, final List<ServiceCard.Stage> stages,
        final ServiceCard.Outcome outcome)
    {
        final Map<String, ServiceCard.Stage> byNo = new LinkedHashMap<>();
        for (final ServiceCard.Stage stage : stages)
        {
            byNo.put(stage.no(), stage);
        }
        int registerStages = 0;
        int finishingStages = 0;
        boolean registered = false;
        boolean committeeSeen = false;
        for (final ServiceCard.Stage stage : stages)
        {
            final Ctx ctx = card.at("stage " + stage.no());
            if (stage.path() == StagePath.INFO && !stage.actions().isEmpty())
            {
                ctx.problem("an INFO stage allows no actions");
            }
            if (stage.actions().containsKey(CaseAction.REGISTER))
            {
                registerStages++;
                registered = true;
                if (stage.path() != StagePath.MAIN)
                {
                    ctx.problem("the REGISTER stage must be on the MAIN path");
                }
            }
            else if (stage.path() == StagePath.MAIN && registered && stage.actions().isEmpty())
            {
                ctx.problem("a MAIN stage after registration must allow at least one action");
            }
            if (stage.path() == StagePath.MAIN && !registered && !stage.actions().isEmpty() &&
                !stage.actions().containsKey(CaseAction.REGISTER))
            {
                ctx.problem("a MAIN stage before registration cannot allow actions");
            }
            if (stage.path() == StagePath.REFUSAL && !stage.actions().containsKey(CaseAction.ADVANCE))
            {
                ctx.problem("a REFUSAL stage must allow ADVANCE");
            }
            if (stage.actions().containsKey(CaseAction.ISSUE) || stage.actions().containsKey(CaseAction.PAY))
            {
                finishingStages++;
                if (stage.path() != StagePath.MAIN)
                {
                    ctx.problem("ISSUE and PAY must be on the MAIN path");
                }
            }
            final boolean decides = stage.actions().containsKey(CaseAction.COMMITTEE_DECISION);
            if (decides != (null != stage.committee()))
            {
                ctx.problem("a stage has a committee if and only if it allows COMMITTEE_DECISION");
            }
            if (decides)
            {
                committeeSeen = true;
            }
            if (stage.deadline() != null && stage.deadline().kind() == DeadlineKind.AFTER_COMMITTEE && !committeeSeen)
            {
                ctx.problem("deadline AFTER_COMMITTEE needs a COMMITTEE_DECISION stage before it");
            }
            for (final ServiceCard.StageAction action : stage.actions().values())
            {
                if (action.roles().isEmpty())
                {
                    ctx.problem("action " + action.action() + " names no role");
                }
                if (!action.path().isEmpty() && action.action() != CaseAction.SUSPEND &&
                    action.action() != CaseAction.REFUSE && action.action() != CaseAction.COMMITTEE_DECISION)
                {
                    ctx.problem("action " + action.action() + " takes no path");
                }
                for (final String step : action.path())
                {
                    final ServiceCard.Stage target = byNo.get(step);
                    if (null == target)
                    {
                        ctx.problem("action " + action.action() + " path names unknown stage " + step);
                    }
                    else if (action.action() == CaseAction.SUSPEND && target.path() != StagePath.SUSPENSION)
                    {
                        ctx.problem("SUSPEND path stage " + step + " must be a SUSPENSION stage");
                    }
                    else if (action.action() != CaseAction.SUSPEND &&
                        target.path() != StagePath.REFUSAL && target.path() != StagePath.MAIN)
                    {
                        ctx.problem(action.action() + " path stage " + step + " must be a REFUSAL or MAIN stage");
                    }
                }
            }
        }
        if (registerStages != 1)
        {
            card.problem("exactly one stage must allow REGISTER, found " + registerStages);
        }
        if (finishingStages != 1)
        {
            card.problem("exactly one stage must allow ISSUE or PAY, found " + finishingStages);
        }
        if (null != outcome && (outcome.type() == OutcomeType.GRANT_ENTITLEMENT || outcome.type() == OutcomeType.PAYMENT))
        {
            boolean pays = false;
            for (final ServiceCard.Stage stage : stages)
            {
                pays |= stage.actions().containsKey(CaseAction.PAY);
            }
            if (!pays)
            {
                card.problem("outcome " + outcome.type() + " needs a stage that allows PAY");
            }
        }
    }

    private static List<ServiceCard.Grounds> grounds(final Ctx card, final JsonObject json, final String field)
    {
        final List<ServiceCard.Grounds> result = new ArrayList<>();
        final JsonArray array = card.array(json, field, false);
        final Set<String> codes = new HashSet<>();
        for (int i = 0; null != array && i < array.size(); i++)
        {
            final Ctx ctx = card.at(field + "[" + i + "]");
            final JsonObject groundsJson = ctx.element(array, i);
            if (null == groundsJson)
            {
                continue;
            }
            final String code = ctx.text(groundsJson, "code");
            if (null != code && !codes.add(code))
            {
                ctx.problem("code '" + code + "' is used twice");
            }
            result.add(new ServiceCard.Grounds(code, ctx.text(groundsJson, "textUk"), ctx.text(groundsJson, "textEn")));
        }
        return List.copyOf(result);
    }

    /** A text the seed may leave blank (an empty cell): present as a string, possibly empty. */
    private static String blankable(final Ctx ctx, final JsonObject json, final String field)
    {
        final Object value = json.getValue(field);
        if (!(value instanceof String))
        {
            ctx.problem(field + " is required and must be a string (empty when the seed leaves it blank)");
            return null;
        }
        return (String)value;
    }

    private static void unknownFields(final Ctx ctx, final JsonObject json, final Set<String> known)
    {
        for (final String name : json.fieldNames())
        {
            if (!known.contains(name))
            {
                ctx.problem("unknown field '" + name + "'");
            }
        }
    }

    private static String readClasspath(final String name)
    {
        try (InputStream in = CatalogueLoader.class.getClassLoader().getResourceAsStream(name))
        {
            return null == in ? null : new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
    }

    /** Where a value is, for problems: "file: card X: stage N: field". */
    static final class Ctx
    {
        private final List<String> problems;
        private final String where;

        Ctx(final List<String> problems, final String where)
        {
            this.problems = problems;
            this.where = where;
        }

        Ctx at(final String part)
        {
            return new Ctx(problems, where + ": " + part);
        }

        void problem(final String message)
        {
            problems.add(where + ": " + message);
        }

        String text(final JsonObject json, final String field)
        {
            final Object value = json.getValue(field);
            if (!(value instanceof String) || ((String)value).isBlank())
            {
                problem(field + " is required and must be a non-empty string");
                return null;
            }
            return (String)value;
        }

        int positiveInt(final JsonObject json, final String field)
        {
            final Object value = json.getValue(field);
            if (!(value instanceof Integer) || (Integer)value <= 0)
            {
                problem(field + " is required and must be a positive integer, was " + value);
                return 0;
            }
            return (Integer)value;
        }

        boolean bool(final JsonObject json, final String field)
        {
            final Object value = json.getValue(field);
            if (!(value instanceof Boolean))
            {
                problem(field + " is required and must be true or false, was " + value);
                return false;
            }
            return (Boolean)value;
        }

        LocalDate date(final JsonObject json, final String field)
        {
            final Object value = json.getValue(field);
            try
            {
                return LocalDate.parse(String.valueOf(value));
            }
            catch (final DateTimeParseException ex)
            {
                problem(field + " must be a date yyyy-mm-dd, was " + value);
                return null;
            }
        }

        JsonObject object(final JsonObject json, final String field)
        {
            final Object value = json.getValue(field);
            if (!(value instanceof JsonObject))
            {
                problem(field + " is required and must be an object");
                return null;
            }
            return (JsonObject)value;
        }

        JsonArray array(final JsonObject json, final String field, final boolean nonEmpty)
        {
            final Object value = json.getValue(field);
            if (!(value instanceof JsonArray) || (nonEmpty && ((JsonArray)value).isEmpty()))
            {
                problem(field + " is required and must be " + (nonEmpty ? "a non-empty" : "an") + " array");
                return null;
            }
            return (JsonArray)value;
        }

        JsonObject element(final JsonArray array, final int index)
        {
            final Object value = array.getValue(index);
            if (!(value instanceof JsonObject))
            {
                problem("must be an object");
                return null;
            }
            return (JsonObject)value;
        }

        <E extends Enum<E>> E enumValue(final JsonObject json, final String field, final Class<E> type)
        {
            final Object value = json.getValue(field);
            try
            {
                return Enum.valueOf(type, String.valueOf(value));
            }
            catch (final IllegalArgumentException ex)
            {
                problem(field + " must be one of " + EnumSet.allOf(type) + ", was " + value);
                return null;
            }
        }

        <E extends Enum<E>> Set<E> enumSet(final JsonObject json, final String field, final Class<E> type)
        {
            final JsonArray array = array(json, field, true);
            final Set<E> result = EnumSet.noneOf(type);
            if (null == array)
            {
                return result;
            }
            for (final Object value : array)
            {
                try
                {
                    result.add(Enum.valueOf(type, String.valueOf(value)));
                }
                catch (final IllegalArgumentException ex)
                {
                    problem(field + " must hold values of " + EnumSet.allOf(type) + ", found " + value);
                }
            }
            return Collections.unmodifiableSet(result);
        }
    }
}
