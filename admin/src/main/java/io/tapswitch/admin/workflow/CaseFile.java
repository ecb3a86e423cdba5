package io.tapswitch.admin.workflow;

import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import io.tapswitch.admin.Role;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

/**
 * A case: an application moving through one version of a service card. Holds the applicant, the document
 * checklist, attachments' metadata, the current stage and its deadline, the total deadline, the full history and
 * the version used for optimistic locking. Changed only by {@link CaseEngine}, which works on a {@link #copy()} so a
 * refused action changes nothing.
 * <p>
 * Not thread-safe; each request works on its own instance.
 */
public final class CaseFile
{
    /**
     * @param code       checklist code.
     * @param required   whether the checklist needs it.
     * @param received   whether it was received.
     * @param receivedAt when it was last marked received, or null.
     */
    public record DocumentCheck(String code, boolean required, boolean received, Instant receivedAt)
    {
    }

    /**
     * @param id           attachment id within the case.
     * @param fileName     the file's name.
     * @param mediaType    its media type.
     * @param sizeBytes    its size.
     * @param sha256       its SHA-256.
     * @param documentCode the checklist document it copies, or null.
     * @param addedBy      who added it.
     * @param addedAt      when.
     */
    public record Attachment(String id, String fileName, String mediaType, long sizeBytes, String sha256,
        String documentCode, String addedBy, Instant addedAt)
    {
    }

    /**
     * @param seq     1, 2, … in order.
     * @param at      when.
     * @param userId  who.
     * @param role    in which role.
     * @param action  what.
     * @param stageNo the stage it was done at.
     * @param status  the case status after it.
     * @param comment the caseworker's comment.
     * @param details what else it recorded (next stage, grounds, card id, …).
     */
    public record HistoryEntry(int seq, Instant at, String userId, Role role, CaseAction action, String stageNo,
        CaseStatus status, String comment, Map<String, String> details)
    {
    }

    /**
     * @param since        when the application was left without motion.
     * @param groundsCode  the card's grounds code, or null.
     * @param groundsText  the grounds in words.
     * @param noticeStages the notice stages of the card.
     * @param noticeDue    when the notice is due, or null.
     */
    public record Suspension(Instant since, String groundsCode, String groundsText, List<String> noticeStages,
        LocalDate noticeDue)
    {
    }

    /**
     * @param at           when.
     * @param stageNo      at which stage it was decided.
     * @param groundsCode  the card's grounds code, or null.
     * @param groundsText  the grounds in words.
     * @param appealRoute  how to appeal.
     * @param committee    the committee that refused, or null.
     */
    public record Refusal(Instant at, String stageNo, String groundsCode, String groundsText, String appealRoute,
        String committee)
    {
    }

    String id;
    String serviceCode;
    int cardVersion;
    Applicant applicant;
    Body intakeBody;
    Body termBody;
    CaseStatus status;
    boolean refusalTrack;
    List<String> refusalPathRemaining = new ArrayList<>();
    String stageNo;
    Instant stageEnteredAt;
    LocalDate stageDue;
    Instant registeredAt;
    LocalDate totalDue;
    long suspendedDays;
    long version;
    Map<String, DocumentCheck> documents = new LinkedHashMap<>();
    List<Attachment> attachments = new ArrayList<>();
    List<HistoryEntry> history = new ArrayList<>();
    Suspension suspension;
    Refusal refusal;
    String closeReason;
    String lastCommittee;
    LocalDate lastCommitteeSession;
    Long issuedCardId;
    String issuedCardKind;
    Instant finishedAt;
    Long subjectHolderId;
    boolean urgent;

    CaseFile()
    {
    }

    /**
     * @return a deep copy to change.
     */
    public CaseFile copy()
    {
        final CaseFile copy = new CaseFile();
        copy.id = id;
        copy.serviceCode = serviceCode;
        copy.cardVersion = cardVersion;
        copy.applicant = applicant;
        copy.intakeBody = intakeBody;
        copy.termBody = termBody;
        copy.status = status;
        copy.refusalTrack = refusalTrack;
        copy.refusalPathRemaining = new ArrayList<>(refusalPathRemaining);
        copy.stageNo = stageNo;
        copy.stageEnteredAt = stageEnteredAt;
        copy.stageDue = stageDue;
        copy.registeredAt = registeredAt;
        copy.totalDue = totalDue;
        copy.suspendedDays = suspendedDays;
        copy.version = version;
        copy.documents = new LinkedHashMap<>(documents);
        copy.attachments = new ArrayList<>(attachments);
        copy.history = new ArrayList<>(history);
        copy.suspension = suspension;
        copy.refusal = refusal;
        copy.closeReason = closeReason;
        copy.lastCommittee = lastCommittee;
        copy.lastCommitteeSession = lastCommitteeSession;
        copy.issuedCardId = issuedCardId;
        copy.issuedCardKind = issuedCardKind;
        copy.finishedAt = finishedAt;
        copy.subjectHolderId = subjectHolderId;
        copy.urgent = urgent;
        return copy;
    }

    public String id()
    {
        return id;
    }

    public String serviceCode()
    {
        return serviceCode;
    }

    public int cardVersion()
    {
        return cardVersion;
    }

    public Applicant applicant()
    {
        return applicant;
    }

    public Body intakeBody()
    {
        return intakeBody;
    }

    public Body termBody()
    {
        return termBody;
    }

    public CaseStatus status()
    {
        return status;
    }

    /**
     * @return whether the case is walking the stages of a refusal.
     */
    public boolean onRefusalTrack()
    {
        return refusalTrack;
    }

    public String stageNo()
    {
        return stageNo;
    }

    public Instant stageEnteredAt()
    {
        return stageEnteredAt;
    }

    /**
     * @return the current stage's due date, or null when its deadline sets none.
     */
    public LocalDate stageDue()
    {
        return stageDue;
    }

    public Instant registeredAt()
    {
        return registeredAt;
    }

    /**
     * @return the total term's due date (extended by suspensions).
     */
    public LocalDate totalDue()
    {
        return totalDue;
    }

    /**
     * @return calendar days the case spent left without motion.
     */
    public long suspendedDays()
    {
        return suspendedDays;
    }

    public long version()
    {
        return version;
    }

    public List<DocumentCheck> documents()
    {
        return List.copyOf(documents.values());
    }

    public List<Attachment> attachments()
    {
        return Collections.unmodifiableList(attachments);
    }

    public List<HistoryEntry> history()
    {
        return Collections.unmodifiableList(history);
    }

    public Suspension suspension()
    {
        return suspension;
    }

    public Refusal refusal()
    {
        return refusal;
    }

    public String closeReason()
    {
        return closeReason;
    }

    public Long issuedCardId()
    {
        return issuedCardId;
    }

    public String issuedCardKind()
    {
        return issuedCardKind;
    }

    public Instant finishedAt()
    {
        return finishedAt;
    }

    /**
     * @return the cardholder the case is about when not the applicant (41-76: the deceased), or null.
     */
    public Long subjectHolderId()
    {
        return subjectHolderId;
    }

    /**
     * @return whether the case is handled at once («ВПО — невідкладно» on 41-69: an IDP applicant).
     */
    public boolean urgent()
    {
        return urgent;
    }

    /**
     * @param today the date now.
     * @return whether the case is moving and past its stage deadline or its total term.
     */
    public boolean isOverdue(final LocalDate today)
    {
        return status == CaseStatus.ACTIVE &&
            ((null != stageDue && today.isAfter(stageDue)) || (null != totalDue && today.isAfter(totalDue)));
    }

    /**
     * @return the case as JSON (how it is stored and served).
     */
    public JsonObject toJson()
    {
        final JsonObject json = new JsonObject()
            .put("id", id)
            .put("serviceCode", serviceCode)
            .put("cardVersion", cardVersion)
            .put("applicant", new JsonObject()
                .put("holderId", applicant.holderId())
                .put("familyName", applicant.familyName())
                .put("givenName", applicant.givenName())
                .put("patronymic", applicant.patronymic())
                .put("idp", applicant.idp())
                .put("idpCertificate", applicant.idpCertificate())
                .put("idpCertificateDate", str(applicant.idpCertificateDate()))
                .put("idpArrivedOn", str(applicant.idpArrivedOn())))
            .put("intakeBody", name(intakeBody))
            .put("termBody", name(termBody))
            .put("status", status.name())
            .put("refusalTrack", refusalTrack)
            .put("refusalPathRemaining", new JsonArray(new ArrayList<Object>(refusalPathRemaining)))
            .put("stageNo", stageNo)
            .put("stageEnteredAt", str(stageEnteredAt))
            .put("stageDue", str(stageDue))
            .put("registeredAt", str(registeredAt))
            .put("totalDue", str(totalDue))
            .put("suspendedDays", suspendedDays)
            .put("version", version)
            .put("closeReason", closeReason)
            .put("lastCommittee", lastCommittee)
            .put("lastCommitteeSession", str(lastCommitteeSession))
            .put("issuedCardId", issuedCardId)
            .put("issuedCardKind", issuedCardKind)
            .put("finishedAt", str(finishedAt))
            .put("subjectHolderId", subjectHolderId)
            .put("urgent", urgent);
        final JsonArray docs = new JsonArray();
        for (final DocumentCheck doc : documents.values())
        {
            docs.add(new JsonObject().put("code", doc.code()).put("required", doc.required())
                .put("received", doc.received()).put("receivedAt", str(doc.receivedAt())));
        }
        json.put("documents", docs);
        final JsonArray atts = new JsonArray();
        for (final Attachment att : attachments)
        {
            atts.add(new JsonObject().put("id", att.id()).put("fileName", att.fileName())
                .put("mediaType", att.mediaType()).put("sizeBytes", att.sizeBytes()).put("sha256", att.sha256())
                .put("documentCode", att.documentCode()).put("addedBy", att.addedBy())
                .put("addedAt", str(att.addedAt())));
        }
        json.put("attachments", atts);
        final JsonArray hist = new JsonArray();
        for (final HistoryEntry entry : history)
        {
            hist.add(new JsonObject().put("seq", entry.seq()).put("at", str(entry.at())).put("userId", entry.userId())
                .put("role", entry.role().name()).put("action", entry.action().name()).put("stageNo", entry.stageNo())
                .put("status", entry.status().name()).put("comment", entry.comment())
                .put("details", new JsonObject(new LinkedHashMap<String, Object>(entry.details()))));
        }
        json.put("history", hist);
        if (null != suspension)
        {
            json.put("suspension", new JsonObject().put("since", str(suspension.since()))
                .put("groundsCode", suspension.groundsCode()).put("groundsText", suspension.groundsText())
                .put("noticeStages", new JsonArray(new ArrayList<Object>(suspension.noticeStages())))
                .put("noticeDue", str(suspension.noticeDue())));
        }
        if (null != refusal)
        {
            json.put("refusal", new JsonObject().put("at", str(refusal.at())).put("stageNo", refusal.stageNo())
                .put("groundsCode", refusal.groundsCode()).put("groundsText", refusal.groundsText())
                .put("appealRoute", refusal.appealRoute()).put("committee", refusal.committee()));
        }
        return json;
    }

    /**
     * @param json what {@link #toJson()} wrote.
     * @return the case.
     */
    public static CaseFile fromJson(final JsonObject json)
    {
        final CaseFile c = new CaseFile();
        c.id = json.getString("id");
        c.serviceCode = json.getString("serviceCode");
        c.cardVersion = json.getInteger("cardVersion");
        final JsonObject applicant = json.getJsonObject("applicant");
        c.applicant = new Applicant(applicant.getLong("holderId"), applicant.getString("familyName"),
            applicant.getString("givenName"), applicant.getString("patronymic"), applicant.getBoolean("idp", false),
            applicant.getString("idpCertificate"), date(applicant.getString("idpCertificateDate")),
            date(applicant.getString("idpArrivedOn")));
        c.intakeBody = null == json.getString("intakeBody") ? null : Body.valueOf(json.getString("intakeBody"));
        c.termBody = null == json.getString("termBody") ? null : Body.valueOf(json.getString("termBody"));
        c.status = CaseStatus.valueOf(json.getString("status"));
        c.refusalTrack = json.getBoolean("refusalTrack", false);
        for (final Object step : json.getJsonArray("refusalPathRemaining", new JsonArray()))
        {
            c.refusalPathRemaining.add(String.valueOf(step));
        }
        c.stageNo = json.getString("stageNo");
        c.stageEnteredAt = instant(json.getString("stageEnteredAt"));
        c.stageDue = date(json.getString("stageDue"));
        c.registeredAt = instant(json.getString("registeredAt"));
        c.totalDue = date(json.getString("totalDue"));
        c.suspendedDays = json.getLong("suspendedDays", 0L);
        c.version = json.getLong("version");
        c.closeReason = json.getString("closeReason");
        c.lastCommittee = json.getString("lastCommittee");
        c.lastCommitteeSession = date(json.getString("lastCommitteeSession"));
        c.issuedCardId = json.getLong("issuedCardId");
        c.issuedCardKind = json.getString("issuedCardKind");
        c.finishedAt = instant(json.getString("finishedAt"));
        c.subjectHolderId = json.getLong("subjectHolderId");
        c.urgent = json.getBoolean("urgent", false);
        for (final Object o : json.getJsonArray("documents", new JsonArray()))
        {
            final JsonObject doc = (JsonObject)o;
            c.documents.put(doc.getString("code"), new DocumentCheck(doc.getString("code"), doc.getBoolean("required"),
                doc.getBoolean("received"), instant(doc.getString("receivedAt"))));
        }
        for (final Object o : json.getJsonArray("attachments", new JsonArray()))
        {
            final JsonObject att = (JsonObject)o;
            c.attachments.add(new Attachment(att.getString("id"), att.getString("fileName"),
                att.getString("mediaType"), att.getLong("sizeBytes"), att.getString("sha256"),
                att.getString("documentCode"), att.getString("addedBy"), instant(att.getString("addedAt"))));
        }
        for (final Object o : json.getJsonArray("history", new JsonArray()))
        {
            final JsonObject entry = (JsonObject)o;
            final Map<String, String> details = new LinkedHashMap<>();
            for (final Map.Entry<String, Object> detail : entry.getJsonObject("details", new JsonObject()))
            {
                details.put(detail.getKey(), String.valueOf(detail.getValue()));
            }
            c.history.add(new HistoryEntry(entry.getInteger("seq"), instant(entry.getString("at")),
                entry.getString("userId"), Role.valueOf(entry.getString("role")),
                CaseAction.valueOf(entry.getString("action")), entry.getString("stageNo"),
                CaseStatus.valueOf(entry.getString("status")), entry.getString("comment"),
                Collections.unmodifiableMap(details)));
        }
        final JsonObject suspension = json.getJsonObject("suspension");
        if (null != suspension)
        {
            final List<String> notice = new ArrayList<>();
            for (final Object step : suspension.getJsonArray("noticeStages", new JsonArray()))
            {
                notice.add(String.valueOf(step));
            }
            c.suspension = new Suspension(instant(suspension.getString("since")), suspension.getString("groundsCode"),
                suspension.getString("groundsText"), List.copyOf(notice), date(suspension.getString("noticeDue")));
        }
        final JsonObject refusal = json.getJsonObject("refusal");
        if (null != refusal)
        {
            c.refusal = new Refusal(instant(refusal.getString("at")), refusal.getString("stageNo"),
                refusal.getString("groundsCode"), refusal.getString("groundsText"), refusal.getString("appealRoute"),
                refusal.getString("committee"));
        }
        return c;
    }

    private static String name(final Enum<?> value)
    {
        return null == value ? null : value.name();
    }

    private static String str(final Object value)
    {
        return null == value ? null : value.toString();
    }

    private static Instant instant(final String value)
    {
        return null == value ? null : Instant.parse(value);
    }

    private static LocalDate date(final String value)
    {
        return null == value ? null : LocalDate.parse(value);
    }
}
