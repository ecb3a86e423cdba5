package io.tapswitch.bench.soak;

import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Predicate;

import io.tapswitch.protocol.Decision;
import io.tapswitch.protocol.ReasonCode;
import io.tapswitch.protocol.client.BalanceResult;
import io.tapswitch.protocol.client.TerminalClient;
import io.vertx.core.json.JsonObject;

/**
 * The administrators' side of the soak, through the REST API only, as a caseworker's client would: in a loop, a
 * resident's card case (service card No. 8) registered and moved through its stages by the department until the card
 * is issued, an entitlement granted, the card blocked and then replaced, the reports read. Each change that must
 * reach the switch (card issued with its entitlement, blocked, replacement issued) is checked there with a BALANCE
 * from a terminal of its own, bounded: it goes through the outbox and the command queue.
 * <p>
 * Counts every call: answered (any status), refused (a status other than the one expected), unanswered (no answer
 * within the client's timeout, or a connection error) and the changes applied at the switch or not within the bound.
 * One thread runs it; the counters are read from any thread.
 */
public final class AdminTraffic implements Runnable
{
    static final long FIRST_CARD = 9_000_000_001L;
    private static final String API = "/api/v1";
    private static final long HTTP_TIMEOUT_MS = 30_000;
    private static final long SWITCH_BOUND_MS = 30_000;
    private static final ZoneId CITY = ZoneId.of("Europe/Kyiv");

    private final String baseUrl;
    private final SoakTokens tokens;
    private final String switchHost;
    private final int switchPort;
    private final long checkerTerminal;
    private final long pauseMs;
    private final PrintStream log;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10))
        .version(HttpClient.Version.HTTP_1_1).build();
    private volatile boolean running = true;
    private long nextCard = FIRST_CARD;
    private TerminalClient checker;

    final AtomicLong calls = new AtomicLong();
    final AtomicLong answered = new AtomicLong();
    final AtomicLong refused = new AtomicLong();
    final AtomicLong unanswered = new AtomicLong();
    final AtomicLong slowestMs = new AtomicLong();
    final AtomicLong cycles = new AtomicLong();
    final AtomicLong appliedAtSwitch = new AtomicLong();
    final AtomicLong notAppliedAtSwitch = new AtomicLong();
    final AtomicLong slowestApplyMs = new AtomicLong();
    final List<String> problems = Collections.synchronizedList(new ArrayList<>());

    /**
     * @param checkerTerminal a demo terminal the fleet does not use, for the BALANCE checks.
     * @param pauseMs         pause between two cycles.
     */
    public AdminTraffic(final String baseUrl, final SoakTokens tokens, final String switchHost, final int switchPort,
        final long checkerTerminal, final long pauseMs, final PrintStream log)
    {
        this.baseUrl = baseUrl;
        this.tokens = tokens;
        this.switchHost = switchHost;
        this.switchPort = switchPort;
        this.checkerTerminal = checkerTerminal;
        this.pauseMs = pauseMs;
        this.log = log;
    }

    public void stop()
    {
        running = false;
    }

    @Override
    public void run()
    {
        try
        {
            while (running)
            {
                try
                {
                    cycle();
                    cycles.incrementAndGet();
                }
                catch (final CycleFailed ex)
                {
                    problem(ex.getMessage());
                }
                catch (final InterruptedException ex)
                {
                    Thread.currentThread().interrupt();
                    return;
                }
                catch (final RuntimeException ex)
                {
                    problem("cycle failed: " + ex);
                }
                try
                {
                    sleep(pauseMs);
                }
                catch (final InterruptedException ex)
                {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        }
        finally
        {
            if (null != checker)
            {
                checker.close();
            }
        }
    }

    /** One caseworker's round: a card from a case, an entitlement, a block, a replacement, the reports. */
    private void cycle() throws InterruptedException
    {
        final long card = nextCard++;
        final long replacement = nextCard++;
        final String family = "Сойко";
        JsonObject c = call("POST", tokens.department(), API + "/cases", new JsonObject().put("serviceCode", "8")
            .put("applicant", new JsonObject().put("familyName", family).put("givenName", "Ірина")
                .put("patronymic", "Петрівна")), 200, 201);
        for (int i = 0; i < 3; i++)
        {
            c = act(c, new JsonObject().put("action", "ADVANCE"));
        }
        c = act(c, new JsonObject().put("action", "ISSUE").put("cardId", card));
        c = act(c, new JsonObject().put("action", "ADVANCE"));
        final JsonObject applicant = c.getJsonObject("applicant");
        if (null == applicant || null == applicant.getLong("holderId"))
        {
            throw new CycleFailed("case " + c.getString("id") + " has no card holder after issuing: " + c.encode());
        }
        final long holderId = applicant.getLong("holderId");
        call("POST", tokens.center(), API + "/entitlements", new JsonObject().put("holderId", holderId).put("programId", 2), 200, 201);
        awaitAtSwitch(card, "card " + card + " issued with program 2", (b) -> b.decision() == Decision.APPROVED && null != b.entry(2));

        call("POST", tokens.center(), API + "/cards/" + card + "/block", new JsonObject().put("note", "soak"), 200);
        awaitAtSwitch(card, "card " + card + " blocked", (b) -> b.decision() == Decision.DECLINED && b.reason() == ReasonCode.CARD_BLOCKED);

        final LocalDate today = LocalDate.now(CITY);
        call("POST", tokens.center(), API + "/cards/" + card + "/replace", new JsonObject().put("newCardId", replacement)
            .put("expiry", today.plusYears(2).toString()), 200, 201);
        awaitAtSwitch(replacement, "card " + replacement + " replacing " + card,
            (b) -> b.decision() == Decision.APPROVED && null != b.entry(2));

        final String range = "?from=" + today.minusDays(31) + "&to=" + today;
        call("GET", tokens.auditor(), API + "/reports/aid" + range, null, 200);
        call("GET", tokens.auditor(), API + "/reports/meals" + range, null, 200);
        call("GET", tokens.auditor(), API + "/reports/overdue-cases", null, 200);
        call("GET", tokens.auditor(), API + "/taps?limit=20", null, 200);
        call("GET", tokens.auditor(), API + "/cases/" + c.getString("id"), null, 200);
    }

    private JsonObject act(final JsonObject c, final JsonObject action) throws InterruptedException
    {
        return call("POST", tokens.department(), API + "/cases/" + c.getString("id") + "/actions",
            action.put("version", c.getLong("version")), 200, 201);
    }

    /** A BALANCE of the card at the switch, again until the change has arrived, bounded. */
    private void awaitAtSwitch(final long card, final String what, final Predicate<BalanceResult> arrived) throws InterruptedException
    {
        final long startNs = System.nanoTime();
        BalanceResult last = null;
        String failure = null;
        while (System.nanoTime() - startNs < TimeUnit.MILLISECONDS.toNanos(SWITCH_BOUND_MS))
        {
            try
            {
                if (null == checker)
                {
                    checker = TerminalClient.connect(switchHost, switchPort, checkerTerminal, TerminalClient.demoKey(checkerTerminal));
                }
                last = checker.balance(card);
                if (arrived.test(last))
                {
                    final long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNs);
                    slowestApplyMs.accumulateAndGet(ms, Math::max);
                    appliedAtSwitch.incrementAndGet();
                    return;
                }
            }
            catch (final RuntimeException ex)
            {
                failure = ex.toString();
                if (null != checker)
                {
                    checker.close();
                    checker = null;
                }
            }
            sleep(50);
        }
        notAppliedAtSwitch.incrementAndGet();
        throw new CycleFailed(what + ": not at the switch within " + SWITCH_BOUND_MS + " ms (last BALANCE " + last +
            (null == failure ? "" : ", last failure " + failure) + ")");
    }

    private JsonObject call(final String method, final String token, final String path, final JsonObject body,
        final int... expected) throws InterruptedException
    {
        final HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(baseUrl + path))
            .timeout(Duration.ofMillis(HTTP_TIMEOUT_MS)).header("Authorization", "Bearer " + token);
        if (null == body)
        {
            request.GET();
        }
        else
        {
            request.header("Content-Type", "application/json")
                .method(method, HttpRequest.BodyPublishers.ofString(body.encode(), StandardCharsets.UTF_8));
        }
        calls.incrementAndGet();
        final long startNs = System.nanoTime();
        final HttpResponse<String> reply;
        try
        {
            reply = http.send(request.build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
        }
        catch (final java.io.IOException ex)
        {
            unanswered.incrementAndGet();
            throw new CycleFailed(method + " " + path + ": no answer (" + ex + ")");
        }
        answered.incrementAndGet();
        slowestMs.accumulateAndGet(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNs), Math::max);
        for (final int status : expected)
        {
            if (reply.statusCode() == status)
            {
                final String text = reply.body();
                return text.startsWith("{") ? new JsonObject(text) : new JsonObject();
            }
        }
        refused.incrementAndGet();
        throw new CycleFailed(method + " " + path + ": " + reply.statusCode() + " " +
            reply.body().substring(0, Math.min(400, reply.body().length())));
    }

    private void problem(final String text)
    {
        if (problems.size() < 100)
        {
            problems.add(text);
        }
        if (null != log)
        {
            log.println(String.format(Locale.ROOT, "admin traffic: %s", text));
        }
    }

    private static void sleep(final long ms) throws InterruptedException
    {
        if (ms > 0)
        {
            Thread.sleep(ms);
        }
    }

    /** A cycle stopped by a call answered otherwise than expected, unanswered, or a change not seen at the switch. */
    private static final class CycleFailed extends RuntimeException
    {
        CycleFailed(final String message)
        {
            super(message, null, false, false);
        }
    }
}
