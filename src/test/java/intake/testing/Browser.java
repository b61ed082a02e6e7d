package intake.testing;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.logging.Level;
import java.util.logging.Logger;
import java.util.stream.Stream;

import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;

/**
 * A headless Debian Chromium driven by Debian's ChromeDriver, for browser tests.
 *
 * <p>Both paths are given to Selenium explicitly, so Selenium Manager never tries to download a
 * driver or a browser (this machine has no internet). The browser gets a fresh profile in a temporary
 * directory, deleted again by {@link ChromeDriver#quit()}.
 *
 * <p>When Chromium or ChromeDriver is missing this fails, it never skips: a browser test that silently
 * does not run proves nothing. Install them with {@code apt-get install -y chromium chromium-driver}.
 */
public final class Browser {

    public static final Path CHROMIUM = Path.of("/usr/bin/chromium");
    public static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");

    private static final int WIDTH = 1200;
    private static final int HEIGHT = 1000;

    /*
     * The tests use WebDriver only, never the Chrome DevTools Protocol, so Selenium's warning that it
     * has no CDP binding for this Chromium version is noise. Kept in fields: java.util.logging holds
     * its loggers weakly, and a collected logger would forget the level.
     */
    private static final Logger CDP_VERSION_FINDER = quiet("org.openqa.selenium.devtools.CdpVersionFinder");
    private static final Logger CHROMIUM_DRIVER = quiet("org.openqa.selenium.chromium.ChromiumDriver");

    private Browser() {
    }

    /** Starts a new headless browser; the caller must {@link ChromeDriver#quit()} it. */
    public static ChromeDriver open() {
        requireExecutable(CHROMIUM, "Chromium");
        requireExecutable(CHROMEDRIVER, "ChromeDriver");

        Path profile;
        try {
            profile = Files.createTempDirectory("intake-chromium-");
        } catch (IOException e) {
            throw new UncheckedIOException("Could not create a temporary Chromium profile directory", e);
        }

        ChromeOptions options = new ChromeOptions();
        options.setBinary(CHROMIUM.toString());
        options.addArguments(
                "--headless=new",
                "--no-sandbox", // the tests run as root, where Chromium's sandbox cannot start
                "--disable-gpu",
                "--disable-dev-shm-usage",
                "--disable-quic",
                "--no-first-run",
                "--no-default-browser-check",
                // no network but the loopback: without these Chromium keeps calling Google's hosts
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--user-data-dir=" + profile,
                "--window-size=" + WIDTH + "," + HEIGHT);
        options.setPageLoadTimeout(Duration.ofSeconds(30));
        options.setScriptTimeout(Duration.ofSeconds(30));

        ChromeDriverService service = new ChromeDriverService.Builder()
                .usingDriverExecutable(CHROMEDRIVER.toFile())
                .usingAnyFreePort()
                .build();
        try {
            return new TempProfileChromeDriver(service, options, profile);
        } catch (RuntimeException e) {
            deleteQuietly(profile);
            throw e;
        }
    }

    private static Logger quiet(String name) {
        Logger logger = Logger.getLogger(name);
        logger.setLevel(Level.SEVERE);
        return logger;
    }

    private static void requireExecutable(Path path, String what) {
        if (!Files.isExecutable(path)) {
            throw new IllegalStateException(what + " is not installed at " + path
                    + ". The browser tests need Debian's Chromium and ChromeDriver: run"
                    + " `apt-get update && apt-get install -y chromium chromium-driver` (the CI script installs them).");
        }
    }

    private static void deleteQuietly(Path directory) {
        if (!Files.exists(directory)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(directory)) {
            paths.sorted(Comparator.reverseOrder()).map(Path::toFile).forEach(File::delete);
        } catch (IOException | UncheckedIOException e) {
            // a leftover profile in the temp directory is harmless
        }
    }

    /** Deletes its temporary profile directory when it quits. */
    private static final class TempProfileChromeDriver extends ChromeDriver {

        private final Path profile;

        TempProfileChromeDriver(ChromeDriverService service, ChromeOptions options, Path profile) {
            super(service, options);
            this.profile = profile;
        }

        @Override
        public void quit() {
            try {
                super.quit();
            } finally {
                deleteQuietly(profile);
            }
        }
    }
}
