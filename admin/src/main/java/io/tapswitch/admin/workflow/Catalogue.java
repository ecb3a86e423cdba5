package io.tapswitch.admin.workflow;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import io.vertx.core.json.JsonObject;

/**
 * The validated service-card catalogue: every version of every card.
 * <p>
 * Immutable after construction; thread-safe.
 */
public final class Catalogue
{
    private final Map<String, TreeMap<Integer, ServiceCard>> cardsByCode = new TreeMap<>();
    private final Map<String, JsonObject> documents;

    Catalogue(final List<ServiceCard> cards, final Map<String, JsonObject> documents)
    {
        for (final ServiceCard card : cards)
        {
            cardsByCode.computeIfAbsent(card.code(), (code) -> new TreeMap<>()).put(card.version(), card);
        }
        this.documents = Map.copyOf(documents);
    }

    /**
     * @param card a card of this catalogue.
     * @return a copy of its data file as JSON (how the API serves it).
     */
    public JsonObject document(final ServiceCard card)
    {
        return documents.get(card.key()).copy();
    }

    /**
     * @param code the card code.
     * @return its latest version, or null when unknown.
     */
    public ServiceCard latest(final String code)
    {
        final TreeMap<Integer, ServiceCard> versions = cardsByCode.get(code);
        return null == versions ? null : versions.lastEntry().getValue();
    }

    /**
     * @param code    the card code.
     * @param version the version.
     * @return the card, or null when unknown.
     */
    public ServiceCard card(final String code, final int version)
    {
        final TreeMap<Integer, ServiceCard> versions = cardsByCode.get(code);
        return null == versions ? null : versions.get(version);
    }

    /**
     * @return the latest version of every card, by code.
     */
    public List<ServiceCard> latestCards()
    {
        final List<ServiceCard> result = new ArrayList<>();
        for (final TreeMap<Integer, ServiceCard> versions : cardsByCode.values())
        {
            result.add(versions.lastEntry().getValue());
        }
        return Collections.unmodifiableList(result);
    }

    /**
     * @return every version of every card.
     */
    public List<ServiceCard> allCards()
    {
        final List<ServiceCard> result = new ArrayList<>();
        for (final TreeMap<Integer, ServiceCard> versions : cardsByCode.values())
        {
            result.addAll(versions.values());
        }
        return Collections.unmodifiableList(result);
    }
}
