package io.tapswitch.bench.console;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import io.tapswitch.admin.AdminConfig;
import io.tapswitch.admin.AdminService;
import io.tapswitch.admin.account.DemoAccounts;
import io.tapswitch.admin.demo.AdminDemoLoader;
import io.tapswitch.admin.demo.DemoPeople;
import io.tapswitch.protocol.Decision;
import io.tapswitch.protocol.ReasonCode;
import io.tapswitch.protocol.client.TapResult;
import io.tapswitch.protocol.client.TerminalClient;
import io.tapswitch.switching.config.SwitchConfig;
import io.tapswitch.switching.net.SwitchLauncher;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.Keys;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.interactions.Actions;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.Select;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The console in a real browser (Debian's chromium + chromedriver through Selenium) against a real switch over TCP and
 * the admin service on the embedded PostgreSQL, with the demo dataset and the demo accounts: a department specialist
 * signs in with the keyboard only, finds a demo person by a misspelt name, starts a case of service card No. 8 (the
 * resident card), walks it to a card issued at the switch, a demo terminal taps that card over TCP, and the tap shows on
 * the person's page; a district specialist does not see a person of another district. Every page is saved as a
 * screenshot in {@code bench/target/console-screenshots/}.
 */
@Timeout(value = 240, unit = TimeUnit.SECONDS)
class ConsoleBrowserTest
{
    private static final long PERSON = 1_000_001L; // Шевченко Олена, household 1
    private static final long OTHER_DISTRICT_PERSON = 1_000_004L; // household 2
    private static final long NEW_CARD = 7_000_000_001L;
    private static final long TERMINAL = 1; // outlet 1: aid distribution point (food, hygiene and winter kits)
    private static final Path SHOTS = Paths.get("target", "console-screenshots");

    @TempDir
    static Path dir;
    private static SwitchLauncher switchServer;
    private static AdminService admin;
    private static List<DemoAccounts.Credential> accounts;
    private static WebDriver browser;
    private static WebDriverWait wait;
    private static String base;

    @BeforeAll
    static void start() throws Exception
    {
        Files.createDirectories(SHOTS);
        switchServer = SwitchLauncher.start(SwitchConfig.of(Map.of("host", "127.0.0.1", "port", "0", "metrics-port", "0",
            "data-dir", dir.resolve("switch").toString(), "snapshot-interval-ms", "0")));
        admin = new AdminService(new AdminConfig().host("127.0.0.1").port(0).metricsPort(-1).dataDir(dir.resolve("admin"))
            .switchDataDir(dir.resolve("switch")).pollIntervalMs(20).conclude());
        admin.start().toCompletionStage().toCompletableFuture().get(2, TimeUnit.MINUTES);
        AdminDemoLoader.load(admin, 3000, 20);
        assertThat(admin.awaitOutboxDrained(60_000)).isTrue();
        accounts = DemoAccounts.create(admin);
        base = admin.baseUrl();

        final ChromeOptions options = new ChromeOptions();
        options.setBinary("/usr/bin/chromium");
        options.addArguments("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
            "--disable-background-networking", "--disable-component-update", "--disable-sync", "--window-size=1280,1000",
            "--user-data-dir=" + dir.resolve("chromium-profile"), "--lang=uk");
        final ChromeDriverService service = new ChromeDriverService.Builder()
            .usingDriverExecutable(Paths.get("/usr/bin/chromedriver").toFile()).usingAnyFreePort().build();
        browser = new ChromeDriver(service, options);
        wait = new WebDriverWait(browser, Duration.ofSeconds(20));
        wait.ignoring(StaleElementReferenceException.class);
    }

    @AfterAll
    static void stop() throws Exception
    {
        if (browser != null)
        {
            browser.quit();
        }
        if (admin != null)
        {
            admin.stop().toCompletionStage().toCompletableFuture().get(1, TimeUnit.MINUTES);
        }
        if (switchServer != null)
        {
            switchServer.close();
        }
    }

    private static DemoAccounts.Credential account(final String username)
    {
        return accounts.stream().filter(a -> a.username().equals(username)).findFirst().orElseThrow();
    }

    private static void shot(final String name) throws Exception
    {
        final Path file = ((TakesScreenshot)browser).getScreenshotAs(OutputType.FILE).toPath();
        Files.copy(file, SHOTS.resolve(name + ".png"), StandardCopyOption.REPLACE_EXISTING);
    }

    private static WebElement find(final String css)
    {
        try
        {
            return wait.until(ExpectedConditions.visibilityOfElementLocated(By.cssSelector(css)));
        }
        catch (final RuntimeException ex)
        {
            // what the browser showed instead, for the build output
            try
            {
                Files.writeString(SHOTS.resolve("failure.html"), browser.getCurrentUrl() + "\n" + browser.getPageSource());
                shot("failure");
            }
            catch (final Exception ignore)
            {
                // the original failure matters
            }
            throw ex;
        }
    }

    /** Signs in with the keyboard only: the username field has the focus, Tab to the password, Enter submits. */
    private static void signIn(final String username) throws Exception
    {
        browser.manage().deleteAllCookies();
        browser.get(base + "/login");
        find("#username").sendKeys(username);
        new Actions(browser).sendKeys(Keys.TAB).sendKeys(account(username).password()).sendKeys(Keys.ENTER).perform();
        wait.until(ExpectedConditions.textToBe(By.id("whoami"), username));
    }

    private static void act(final String action) throws Exception
    {
        final WebElement button = find("#do-" + action);
        final String version = browser.findElement(By.cssSelector("#action-" + action + " input[name=version]")).getAttribute("value");
        // keyboard: focus the stage's button, Enter
        new Actions(browser).moveToElement(button).perform();
        button.sendKeys(Keys.ENTER);
        // the page is replaced while this looks: each look reads the elements once, and a stale one means look again
        wait.until(d ->
        {
            if (d.findElements(By.cssSelector("#case-id")).isEmpty())
            {
                return false;
            }
            if (!d.findElements(By.id("case-error")).isEmpty())
            {
                return true;
            }
            final List<WebElement> versions = d.findElements(By.cssSelector("input[name=version]"));
            return versions.isEmpty() || !version.equals(versions.get(0).getAttribute("value"));
        });
        assertThat(browser.findElements(By.id("case-error"))).as("the case page shows no error after " + action).isEmpty();
    }

    @Test
    void shouldWalkACard8CaseToACardTappedAtTheSwitchAndKeepDistrictsApart() throws Exception
    {
        // the sign-in page, then a wrong password
        browser.get(base + "/login");
        find("#login-form");
        shot("01-login");
        find("#username").sendKeys("caseworker");
        new Actions(browser).sendKeys(Keys.TAB).sendKeys("not the password").sendKeys(Keys.ENTER).perform();
        assertThat(find("#login-error").getText()).contains("Неправильне");

        signIn("caseworker");
        shot("02-queue-empty");

        // search by a misspelt name, keyboard only: the name field has the focus, Enter submits (htmx)
        browser.get(base + "/search");
        find("#name").sendKeys("Шевчнко Олена", Keys.ENTER);
        final WebElement first = find("#people-table a.person-link");
        assertThat(first.getText()).startsWith("Шевченко Олена");
        assertThat(browser.getCurrentUrl()).doesNotContain("Шевч").doesNotContain("%D0");
        shot("03-search");
        browser.get(base + "/people/" + PERSON);
        assertThat(find("#person-name").getText()).isEqualTo("Шевченко Олена");
        shot("04-person");

        // start a case of service card No. 8 (the resident card) from the person's page
        // by keyboard only: the link followed with Enter, the service chosen with the arrow keys, the form sent with Enter
        find("#start-case").sendKeys(Keys.ENTER);
        final WebElement service = find("#serviceCode");
        final int options = new Select(service).getOptions().size();
        for (int i = 0; i < options && !"8".equals(service.getAttribute("value")); i++)
        {
            service.sendKeys(Keys.ARROW_DOWN);
        }
        assertThat(service.getAttribute("value")).as("service card No. 8 chosen with the arrow keys").isEqualTo("8");
        wait.until(ExpectedConditions.presenceOfElementLocated(By.cssSelector("#checklist h2")));
        shot("05-case-new");
        find("#case-submit").sendKeys(Keys.ENTER);
        find("#case-id");
        final String caseId = browser.findElement(By.id("case-id")).getText();
        shot("06-case");

        // walk it: three stages forward, issue the card at stage 10, hand it over
        act("ADVANCE");
        act("ADVANCE");
        act("ADVANCE");
        find("#action-ISSUE input[name=cardId]").sendKeys(Long.toString(NEW_CARD));
        act("ISSUE");
        shot("07-case-issued");
        act("ADVANCE");
        assertThat(find("#case-status").getText()).isEqualTo("Виконано");
        assertThat(find("#issued-card").getText()).isEqualTo(Long.toString(NEW_CARD));

        // a demo terminal taps the new card at the switch over TCP
        assertThat(admin.awaitOutboxDrained(30_000)).isTrue();
        final TapResult tap = tapUntilDecided();
        assertThat(tap.decision()).as(tap.toString()).isEqualTo(Decision.APPROVED);

        // the tap shows on the person's page once ingested from the journal
        final long deadline = System.currentTimeMillis() + 30_000;
        boolean seen = false;
        while (!seen && System.currentTimeMillis() < deadline)
        {
            browser.get(base + "/people/" + PERSON);
            find("#person-name");
            seen = browser.findElements(By.cssSelector("#taps tr.tap")).stream()
                .anyMatch(row -> row.getText().contains(Long.toString(NEW_CARD)) && row.getText().contains("Aid distribution point 1"));
            if (!seen)
            {
                Thread.sleep(300);
            }
        }
        assertThat(seen).as("the tap of card " + NEW_CARD + " on the person's page").isTrue();
        assertThat(find("#cards").getText()).contains(Long.toString(NEW_CARD));
        shot("08-person-with-tap");

        // the other pages
        browser.get(base + "/queue");
        find("h1");
        shot("09-queue");
        browser.get(base + "/committee");
        find("h1");
        shot("10-committee");
        browser.get(base + "/cases/" + caseId);
        find("#history");
        browser.findElement(By.linkText("English")).click();
        assertThat(find("#case-status").getText()).isEqualTo("Completed");
        shot("11-case-english");
        browser.findElement(By.linkText("Українська")).click();
        find("#case-status");

        signIn("admin");
        browser.get(base + "/reports");
        find("#aid-chart");
        wait.until(d -> !d.findElements(By.cssSelector("#aid-chart .uplot")).isEmpty());
        shot("12-reports");
        browser.get(base + "/terminals");
        assertThat(find("#silent-count").getText()).startsWith("19 ");
        shot("13-terminals");

        // a district specialist sees its own district only
        signIn("district1");
        browser.get(base + "/people/" + PERSON);
        assertThat(find("#person-name").getText()).isEqualTo("Шевченко Олена");
        browser.get(base + "/people/" + OTHER_DISTRICT_PERSON);
        assertThat(find("#error-message").getText()).contains("does not exist");
        shot("14-other-district");
        browser.get(base + "/search");
        find("#name").sendKeys(DemoPeople.familyName(2), Keys.ENTER);
        find("#people-table");
        final List<WebElement> rows = browser.findElements(By.cssSelector("#people-table tbody tr"));
        assertThat(rows).isNotEmpty();
        for (final WebElement row : rows)
        {
            assertThat(row.findElements(By.tagName("td")).get(3).getText()).isEqualTo(DemoPeople.DISTRICTS[0]);
        }
        browser.get(base + "/search");
        find("#taxNumber").sendKeys(DemoPeople.taxNumber(OTHER_DISTRICT_PERSON), Keys.ENTER);
        assertThat(find("#people-results p").getText()).isEqualTo("Нікого не знайдено");

        // signing out ends the session
        find("#logout").click();
        find("#login-form");
        browser.get(base + "/queue");
        find("#login-form");
    }

    private static TapResult tapUntilDecided() throws Exception
    {
        final long deadlineMs = System.currentTimeMillis() + 30_000;
        try (TerminalClient client = TerminalClient.connect("127.0.0.1", switchServer.port(), TERMINAL, TerminalClient.demoKey(TERMINAL)))
        {
            TapResult result = client.tap(NEW_CARD, 2, 1);
            while (result.decision() != Decision.APPROVED && System.currentTimeMillis() < deadlineMs &&
                result.reason() == ReasonCode.UNKNOWN_CARD)
            {
                Thread.sleep(50);
                result = client.tap(NEW_CARD, 2, 1);
            }
            return result;
        }
    }
}
