package ai.agency.gateway.ws;

import io.opentelemetry.context.Context;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.springframework.stereotype.Component;

/**
 * The virtual threads the work of client frames runs on (downstream calls, streams), never the socket's thread. Shut
 * down by {@link RealtimeLifecycle#stop()} once running requests have ended, renewed when it starts again.
 */
@Component
class RequestThreads {

    private volatile ExecutorService work = Executors.newVirtualThreadPerTaskExecutor();

    void submit(Runnable task) {
        // the frame's span (FrameDispatcher) stays current on the worker: downstream calls carry its traceparent
        work.submit(Context.current().wrap(task));
    }

    /** After a stop, a fresh executor (a paused test context, a lifecycle restart). */
    void renew() {
        if (work.isShutdown()) {
            work = Executors.newVirtualThreadPerTaskExecutor();
        }
    }

    void shutdown() {
        work.shutdown();
    }
}
