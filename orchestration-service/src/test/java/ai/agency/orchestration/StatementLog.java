package ai.agency.orchestration;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import javax.sql.DataSource;
import org.springframework.beans.factory.config.BeanPostProcessor;
import org.springframework.jdbc.datasource.DelegatingDataSource;

/**
 * The SQL statements the application prepares, each with the thread that prepared it, so that a test can count the
 * statements of work it runs on its own thread (a chat turn's critical path) whatever runs in the background.
 * Installed on the application's {@link DataSource} by {@link #installer()}.
 */
public final class StatementLog {

    /** A statement and the thread that prepared it. */
    public record Statement(Thread thread, String sql) {}

    private static final List<Statement> STATEMENTS = new CopyOnWriteArrayList<>();

    private StatementLog() {}

    /** The statements {@code work} prepared on the calling thread. */
    public static List<String> of(Runnable work) {
        int from = STATEMENTS.size();
        work.run();
        Thread me = Thread.currentThread();
        return STATEMENTS.subList(from, STATEMENTS.size()).stream()
                .filter(s -> s.thread() == me)
                .map(Statement::sql)
                .toList();
    }

    /** Wraps the application's data source so that its connections log what they prepare. */
    public static BeanPostProcessor installer() {
        return new BeanPostProcessor() {
            @Override
            public Object postProcessAfterInitialization(Object bean, String name) {
                return bean instanceof DataSource dataSource && name.equals("dataSource") ? logging(dataSource) : bean;
            }
        };
    }

    private static DataSource logging(DataSource target) {
        return new DelegatingDataSource(target) {
            @Override
            public Connection getConnection() throws java.sql.SQLException {
                return logging(super.getConnection());
            }
        };
    }

    private static Connection logging(Connection target) {
        return (Connection) Proxy.newProxyInstance(
                StatementLog.class.getClassLoader(), new Class<?>[] {Connection.class}, (proxy, method, args) -> {
                    if ((method.getName().equals("prepareStatement")
                                    || method.getName().equals("prepareCall"))
                            && args != null
                            && args[0] instanceof String sql) {
                        STATEMENTS.add(new Statement(Thread.currentThread(), sql));
                    }
                    try {
                        return method.invoke(target, args);
                    } catch (InvocationTargetException e) {
                        throw e.getCause();
                    }
                });
    }
}
