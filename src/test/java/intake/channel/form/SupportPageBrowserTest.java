package intake.channel.form;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.regex.Pattern;

import org.apache.camel.CamelContext;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.support.ui.WebDriverWait;
import org.springframework.beans.factory.annotation.Autowired;

import intake.testing.Browser;
import intake.testing.IntakeIntegrationTest;
import intake.ticket.TicketCodec;
import intake.ticket.TicketEvent;

/**
 * The public support page in a real browser (Debian's headless Chromium), against the running
 * application, under the page's Content-Security-Policy (a script or style it refused would break
 * these tests): what a customer types ends up as a ticket event on Kafka, the page links to the
 * ticket's status and shows it, and what the server rejects is shown on the right field.
 */
class SupportPageBrowserTest extends IntakeIntegrationTest {

    private static final String TOPIC = "fte.tickets.incoming";
    private static final Duration UI_TIMEOUT = Duration.ofSeconds(30);
    private static final Pattern UUID = Pattern.compile(
            "^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$", Pattern.CASE_INSENSITIVE);

    private static final String NAME = "Ada Lovelace";
    private static final String EMAIL = "Ada.Lovelace@Example.COM";
    private static final String SUBJECT = "Order A-10023 arrived with a cracked gear";
    private static final String MESSAGE = "Hello,\n\n"
            + "the difference engine I ordered last week arrived today, but one of the brass gears is cracked"
            + " and the crank will not turn past the third column.\n\n"
            + "Could you send a replacement gear? I would rather not return the whole café-sized engine.\n\n"
            + "Kind regards,\nAda";
    private static final String ORDER_NUMBER = "A-10023";

    private ChromeDriver browser;

    @Autowired
    CamelContext camelContext;

    @BeforeEach
    void openBrowser() {
        browser = Browser.open();
    }

    @AfterEach
    void closeBrowser() {
        if (browser != null) {
            browser.quit();
            browser = null;
        }
    }

    @Test
    void aCustomerSendsTheFormAndTheTicketIsPublished() throws Exception {
        // the consumer waits, so the page's "still queued" answer is seen for sure
        camelContext.getRouteController().stopRoute("tickets-consume");
        String ticketId;
        try {
            openSupportPage();
            assertThat(browser.findElement(By.cssSelector(".skip-link")).getCssValue("position"))
                    .as("the stylesheet was allowed").isEqualTo("absolute");
            type("name", NAME);
            type("email", EMAIL);
            type("subject", SUBJECT);
            type("message", MESSAGE);
            type("orderNumber", ORDER_NUMBER);
            submit();
            ticketId = theTicketIsShownAndPublished();

            browser.findElement(By.id("check-status")).click();
            waitFor(driver -> driver.findElement(By.id("status-check")).getText().contains("Your ticket is still queued"));
        } finally {
            camelContext.getRouteController().startRoute("tickets-consume");
        }

        // checked again until the consumer has processed it
        waitFor(driver -> {
            if (driver.findElement(By.id("status-check")).getText().contains("Your ticket has been processed")) {
                return true;
            }
            WebElement check = driver.findElement(By.id("check-status"));
            if (check.isEnabled()) {
                check.click();
            }
            return null;
        });
        assertThat(browser.findElement(By.id("ticket-status")).getText()).isEqualTo("processed");
        assertThat(browser.findElement(By.id("ticket-category")).getText()).isNotBlank();
        assertThat(browser.findElement(By.id("ticket-reply")).getText()).contains(ticketId);

        WebElement link = browser.findElement(By.id("status-link"));
        assertThat(link.getDomAttribute("href")).matches("/tickets/" + ticketId + "\\?token=[A-Za-z0-9_-]{43}");
        link.click();
        waitFor(driver -> driver.getCurrentUrl().contains("/tickets/" + ticketId + "?token="));
        String statusPage = browser.findElement(By.tagName("body")).getText();
        assertThat(statusPage).contains("\"ticketId\":\"" + ticketId + "\"", "\"status\":\"processed\"");
    }

    /** Waits for the ticket id on the page and checks its event on Kafka; returns the id. */
    private String theTicketIsShownAndPublished() {
        String ticketId = waitFor(driver -> {
            List<WebElement> shown = driver.findElements(By.id("ticket-id"));
            if (shown.isEmpty() || !shown.get(0).isDisplayed()) {
                return null;
            }
            String text = shown.get(0).getText().trim();
            return UUID.matcher(text).matches() ? text : null;
        });

        WebElement status = browser.findElement(By.cssSelector("[role=status][aria-live=polite]"));
        assertThat(status.getText()).contains("Thank you \u2014 your ticket id is " + ticketId);
        assertThat(browser.findElement(By.id("error-summary")).isDisplayed()).isFalse();
        assertThat(browser.findElement(By.id("name")).getDomProperty("value")).as("the form is reset").isEmpty();
        assertThat(browser.findElement(By.id("message")).getDomProperty("value")).as("the form is reset").isEmpty();
        assertThat(submitButton().isEnabled()).isTrue();

        List<ConsumerRecord<String, byte[]>> records =
                kafka.awaitRecords(TOPIC, r -> ticketId.equals(ticketIdOf(r)), 1);

        assertThat(records).hasSize(1);
        ConsumerRecord<String, byte[]> record = records.get(0);
        assertThat(record.key()).isEqualTo("ada.lovelace@example.com");

        TicketEvent ticket = decode(record);
        assertThat(String.valueOf(ticket.getTicketId())).isEqualTo(ticketId);
        assertThat(ticket.getChannel()).isEqualTo("webform");
        assertThat(ticket.getSource()).isEqualTo("support-form");
        assertThat(ticket.getCustomerId()).isEqualTo("ada.lovelace@example.com");
        assertThat(ticket.getCustomerName()).isEqualTo(NAME);
        assertThat(ticket.getSubject()).isEqualTo(SUBJECT);
        assertThat(ticket.getBody()).isEqualTo(MESSAGE);
        assertThat(ticket.getDetails()).containsEntry("orderNumber", ORDER_NUMBER);
        assertThat(ticket.getCorrelationId()).isNotBlank();
        assertThat(ticket.getAttachments()).isEmpty();
        return ticketId;
    }

    @Test
    void theServersFieldErrorIsShownOnTheFieldAndLinkedFromTheSummary() {
        openSupportPage();
        type("name", NAME);
        // "a@b" is a valid email address to the browser (the HTML spec does not require a dot in the
        // domain), so the page's own Constraint Validation check lets it through unchanged, but the
        // server's rule wants a domain with a dot and answers 422. That makes the error on screen the
        // server's, reached the way a customer reaches it, without tampering with the page.
        type("email", "a@b");
        type("subject", SUBJECT);
        type("message", MESSAGE);
        assertThat((Boolean) js("return document.getElementById('email').checkValidity();"))
                .as("the browser itself accepts a@b, so this test exercises the server's check")
                .isTrue();
        submit();

        WebElement summary = browser.findElement(By.id("error-summary"));
        WebElement link = waitFor(driver -> {
            if (!summary.isDisplayed()) {
                return null;
            }
            List<WebElement> links = summary.findElements(By.cssSelector("a[href='#email']"));
            return links.isEmpty() ? null : links.get(0);
        });

        WebElement email = browser.findElement(By.id("email"));
        WebElement emailError = browser.findElement(By.id("email-error"));
        String serverMessage = link.getText().trim();

        assertThat(summary.getDomAttribute("role")).isEqualTo("alert");
        assertThat(serverMessage).isNotEmpty()
                .as("the message is the server's, not the page's own email check")
                .isNotEqualTo("Enter an email address in the form name@example.com");
        assertThat(email.getDomAttribute("aria-invalid")).isEqualTo("true");
        assertThat(emailError.isDisplayed()).isTrue();
        assertThat(emailError.getText()).contains(serverMessage);
        assertThat(email.getDomAttribute("aria-describedby")).contains("email-error");
        for (String valid : List.of("name", "subject", "message", "orderNumber")) {
            assertThat(browser.findElement(By.id(valid)).getDomAttribute("aria-invalid")).as(valid).isNull();
        }
        assertThat(browser.findElements(By.id("ticket-id"))).isEmpty();
        assertThat(email.getDomProperty("value")).as("the form keeps what was typed").isEqualTo("a@b");
        assertThat(browser.findElement(By.id("message")).getDomProperty("value")).isEqualTo(MESSAGE);
        assertThat(submitButton().isEnabled()).isTrue();

        link.click();
        assertThat(browser.switchTo().activeElement()).as("the summary link focuses the field").isEqualTo(email);
    }

    private void openSupportPage() {
        browser.get("http://127.0.0.1:" + port + "/support");
        waitFor(driver -> driver.findElement(By.id("support-form")).isDisplayed());
    }

    private void type(String id, String text) {
        WebElement field = browser.findElement(By.id(id));
        field.clear();
        field.sendKeys(text);
    }

    private WebElement submitButton() {
        return browser.findElement(By.cssSelector("#support-form button[type=submit]"));
    }

    private void submit() {
        submitButton().click();
    }

    private Object js(String script) {
        return ((JavascriptExecutor) browser).executeScript(script);
    }

    private <T> T waitFor(java.util.function.Function<WebDriver, T> condition) {
        return new WebDriverWait(browser, UI_TIMEOUT, Duration.ofMillis(100)).until(condition);
    }

    private static TicketEvent decode(ConsumerRecord<String, byte[]> record) {
        try {
            return TicketCodec.decode(record.value());
        } catch (IllegalArgumentException e) {
            throw new AssertionError("The record at offset " + record.offset() + " is not a TicketEvent", e);
        }
    }

    /** Null for a record that is not a TicketEvent, so one stray record does not break the search. */
    private static String ticketIdOf(ConsumerRecord<String, byte[]> record) {
        try {
            // String.valueOf: the generated getter is a String or a java.util.UUID (uuid logical type)
            return String.valueOf(decode(record).getTicketId());
        } catch (AssertionError | RuntimeException e) {
            return null;
        }
    }
}
