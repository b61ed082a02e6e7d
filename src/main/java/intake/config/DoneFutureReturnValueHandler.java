package intake.config;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import org.apache.camel.component.platform.http.springboot.SpringBootPlatformHttpConsumer;
import org.springframework.beans.factory.config.BeanPostProcessor;
import org.springframework.core.MethodParameter;
import org.springframework.web.context.request.NativeWebRequest;
import org.springframework.web.method.support.HandlerMethodReturnValueHandler;
import org.springframework.web.method.support.ModelAndViewContainer;
import org.springframework.web.servlet.mvc.method.annotation.DeferredResultMethodReturnValueHandler;
import org.springframework.web.servlet.mvc.method.annotation.RequestMappingHandlerAdapter;

/**
 * Ends a platform-http request on its own thread when Camel has already answered it (docs/adr/0014).
 *
 * <p>camel-platform-http's handler method returns a {@link CompletableFuture}, which Spring MVC always
 * treats as asynchronous: it starts async processing and dispatches the request a second time, through
 * every filter and the DispatcherServlet, only to learn that the response is written. Intake runs the
 * route on the request thread ({@link PublicPortFilters#platformHttpEngine}), so the future is done
 * when the method returns, and that second dispatch was 15 % of the edge's CPU under load (an
 * async-profiler run of bench/http-intake.sh's form load). A future that is not done yet still goes to
 * Spring's own handling, as before.
 */
final class DoneFutureReturnValueHandler implements HandlerMethodReturnValueHandler {

    private final HandlerMethodReturnValueHandler springs;

    private DoneFutureReturnValueHandler(HandlerMethodReturnValueHandler springs) {
        this.springs = springs;
    }

    /** Puts the handler first in Spring MVC's list, ahead of the one that would start async processing. */
    static BeanPostProcessor installer() {
        return new BeanPostProcessor() {
            @Override
            public Object postProcessAfterInitialization(Object bean, String beanName) {
                if (bean instanceof RequestMappingHandlerAdapter adapter && adapter.getReturnValueHandlers() != null) {
                    List<HandlerMethodReturnValueHandler> handlers = new ArrayList<>(adapter.getReturnValueHandlers());
                    handlers.add(0, new DoneFutureReturnValueHandler(new DeferredResultMethodReturnValueHandler()));
                    adapter.setReturnValueHandlers(handlers);
                }
                return bean;
            }
        };
    }

    @Override
    public boolean supportsReturnType(MethodParameter returnType) {
        return SpringBootPlatformHttpConsumer.class.isAssignableFrom(returnType.getContainingClass())
                && CompletableFuture.class.isAssignableFrom(returnType.getParameterType());
    }

    @Override
    public void handleReturnValue(Object returnValue, MethodParameter returnType, ModelAndViewContainer mavContainer,
                                  NativeWebRequest webRequest) throws Exception {
        if (!(returnValue instanceof CompletableFuture<?> future) || !future.isDone()) {
            springs.handleReturnValue(returnValue, returnType, mavContainer, webRequest);
            return;
        }
        try {
            future.join();
        } catch (CompletionException e) {
            // the consumer answers a failed route itself (a 500); only an Error gets here
            if (e.getCause() instanceof Exception cause) {
                throw cause;
            }
            throw (Error) e.getCause();
        }
        // the route wrote the response: nothing for Spring MVC to render
        mavContainer.setRequestHandled(true);
    }
}
