package intake.config;

import static org.assertj.core.api.Assertions.assertThat;

import intake.testing.Http;
import intake.testing.IntakeIntegrationTest;
import jakarta.servlet.DispatcherType;
import jakarta.servlet.Filter;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Import;

/**
 * A channel's request is answered in the one dispatch that brought it: platform-http's future is
 * done when its handler method returns, and Spring MVC does not dispatch the request a second time,
 * asynchronously, to complete it (DoneFutureReturnValueHandler, docs/adr/0014).
 */
@Import(OneDispatchTest.DispatchCounter.class)
class OneDispatchTest extends IntakeIntegrationTest {

    private static final AtomicInteger REQUEST_DISPATCHES = new AtomicInteger();
    private static final AtomicInteger ASYNC_DISPATCHES = new AtomicInteger();

    @TestConfiguration
    static class DispatchCounter {

        /** Sees every dispatch of the form's path, the asynchronous ones too. */
        @Bean
        FilterRegistrationBean<Filter> dispatchCounter() {
            FilterRegistrationBean<Filter> counter = new FilterRegistrationBean<>((request, response, chain) -> {
                (request.getDispatcherType() == DispatcherType.ASYNC ? ASYNC_DISPATCHES : REQUEST_DISPATCHES).incrementAndGet();
                chain.doFilter(request, response);
            });
            counter.setDispatcherTypes(DispatcherType.REQUEST, DispatcherType.ASYNC);
            counter.setUrlPatterns(List.of("/forms/*"));
            return counter;
        }
    }

    @Test
    void aFormIsAcceptedInOneDispatchWithoutAnAsynchronousSecondOne() throws Exception {
        int before = REQUEST_DISPATCHES.get();
        HttpResponse<String> accepted = Http.post(url("/forms/support"), "application/json", """
                {"name":"Ada","email":"ada.dispatch@example.com","subject":"Hello","message":"Just one dispatch, please."}""");

        assertThat(accepted.statusCode()).isEqualTo(202);
        assertThat(accepted.body()).contains("\"ticketId\"");
        assertThat(REQUEST_DISPATCHES).hasValue(before + 1);
        assertThat(ASYNC_DISPATCHES).hasValue(0);
    }

    @Test
    void aRefusedFormIsAnsweredInOneDispatchToo() throws Exception {
        int before = REQUEST_DISPATCHES.get();
        HttpResponse<String> refused = Http.post(url("/forms/support"), "application/json", "{\"name\":\"Ada\"}");

        assertThat(refused.statusCode()).isEqualTo(422);
        assertThat(refused.body()).contains("\"fields\"");
        assertThat(REQUEST_DISPATCHES).hasValue(before + 1);
        assertThat(ASYNC_DISPATCHES).hasValue(0);
    }
}
