package intake.camelmain;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.ext.web.RoutingContext;
import java.io.InputStream;
import java.time.Duration;
import java.util.List;
import org.apache.camel.CamelConfiguration;
import org.apache.camel.CamelContext;
import org.apache.camel.component.platform.http.PlatformHttpEndpoint;
import org.apache.camel.component.platform.http.vertx.VertxPlatformHttpEngine;
import org.apache.camel.support.SimpleTypeConverter;

/**
 * Under Camel Main (platform-http on Vert.x, camel-platform-http-main), hands the POST channels
 * their request body unread, for {@code HttpIngress} to read within the channel's limit.
 *
 * <p>The channel routes say {@code useStreaming: true}, which Spring Boot's servlet engine needs to
 * leave the raw bytes alone. On Vert.x (Camel 4.17) the same option has two faults: an
 * {@code application/x-www-form-urlencoded} body goes to Vert.x's form parser and never reaches the
 * route (Twilio's channel, a web form posted as a form), and any other body is spooled whole into a
 * CachedOutputStream before the route runs, past every limit. So, for the platform-http endpoints
 * restricted to POST, this turns streaming and Vert.x's body handler off before their consumer is
 * initialised: the consumer then pauses the request and puts the {@link HttpServerRequest} itself on
 * the message, and a type converter turns it into a {@link RequestBodyStream} that reads the socket
 * only as fast as the route does. The route YAML stays the same for both runtimes.
 *
 * <p>A route that answers without reading the whole body (a 413, or a 401 from the headers alone)
 * leaves the request paused, and Vert.x would then hold the connection for ever: the caller's
 * next request on it is never read. Once such an answer is sent, the rest of the body is therefore
 * read and dropped, up to {@link #DRAIN_LIMIT_BYTES} and {@link #DRAIN_TIMEOUT}, and past either the
 * connection is closed, as Tomcat does on Spring Boot (its maxSwallowSize).
 *
 * <p>Spring Boot never calls this. Under Camel Main call {@link #install} before the routes are
 * added, or list this class in {@code camel.main.configuration-classes}.
 */
public final class VertxRequestBodies implements CamelConfiguration {

    /**
     * The longest a read waits for the next chunk of a body. Intake's bodies are small (Twilio gives
     * up on a whole request after 15 s), so a caller that sends nothing for this long has stalled,
     * and it holds a Vert.x worker thread no longer than this.
     */
    static final Duration IDLE_READ_TIMEOUT = Duration.ofSeconds(10);

    /** What is read and dropped of a body the route left unread: Tomcat's default maxSwallowSize. */
    static final long DRAIN_LIMIT_BYTES = 2L * 1024 * 1024;

    /** How long the rest of such a body may take to arrive before the connection is closed. */
    static final Duration DRAIN_TIMEOUT = IDLE_READ_TIMEOUT;

    @Override
    public void configure(CamelContext camel) {
        install(camel);
    }

    /** Registers the endpoint callback and the type converter; before the routes are added. */
    public static void install(CamelContext camel) {
        // Only the POST endpoints get this engine (a URI option of platform-http's): the others keep
        // the component's. It is never started as a service, which would bind it as everyone's engine.
        VertxPlatformHttpEngine postEngine = new VertxPlatformHttpEngine();
        postEngine.setCamelContext(camel);
        postEngine.setHandlers(List.of(VertxRequestBodies::drainAfterTheAnswer));
        // Camel calls endpoint callbacks as it registers an endpoint, once its URI options are set
        // and before a route creates and initialises the endpoint's consumer
        camel.getCamelContextExtension().registerEndpointCallback((uri, endpoint) -> {
            if (endpoint instanceof PlatformHttpEndpoint http && postOnly(http)) {
                http.setUseStreaming(false);
                http.setUseBodyHandler(false);
                http.setPlatformHttpEngine(postEngine);
            }
            return endpoint;
        });
        camel.getTypeConverterRegistry().addTypeConverter(InputStream.class, HttpServerRequest.class,
                new SimpleTypeConverter(false, (type, exchange, request) ->
                        new RequestBodyStream((HttpServerRequest) request, IDLE_READ_TIMEOUT)));
    }

    // On the event loop, in front of Camel's handler of each POST route.
    private static void drainAfterTheAnswer(RoutingContext routing) {
        HttpServerRequest request = routing.request();
        routing.addEndHandler(answered -> {
            if (answered.succeeded() && !request.isEnded()) {
                drain(routing.vertx(), request);
            }
        });
        routing.next();
    }

    private static void drain(Vertx vertx, HttpServerRequest request) {
        long[] dropped = {0};
        long timer = vertx.setTimer(DRAIN_TIMEOUT.toMillis(), t -> request.connection().close());
        request.exceptionHandler(failure -> vertx.cancelTimer(timer));
        request.endHandler(end -> vertx.cancelTimer(timer));
        request.handler(chunk -> {
            dropped[0] += chunk.length();
            if (dropped[0] > DRAIN_LIMIT_BYTES) {
                vertx.cancelTimer(timer);
                request.pause();
                request.connection().close();
            }
        });
        request.resume();
    }

    // GET routes (the support page, ticket status, Meta's handshake) have no body and keep Camel's handling
    private static boolean postOnly(PlatformHttpEndpoint endpoint) {
        String methods = endpoint.getHttpMethodRestrict();
        return methods != null && "POST".equalsIgnoreCase(methods.trim());
    }
}
