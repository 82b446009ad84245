package ai.agency.common.accountdata;

import ai.agency.common.security.ProtectedPaths;
import java.util.List;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.context.annotation.Bean;
import org.springframework.core.env.Environment;

/**
 * Serves {@link AccountDataController} in a service that declares {@link AccountData} beans, and makes its path need a
 * token (the scope rule then asks for {@code account_data}).
 */
@AutoConfiguration(after = ai.agency.common.usage.UsageAutoConfiguration.class)
@ConditionalOnWebApplication(type = ConditionalOnWebApplication.Type.SERVLET)
@ConditionalOnBean(AccountData.class)
public class AccountDataAutoConfiguration {

    @Bean
    AccountDataController accountDataController(Environment environment, ObjectProvider<AccountData> beans) {
        return new AccountDataController(
                environment.getProperty("spring.application.name", "service"),
                beans.orderedStream().toList());
    }

    @Bean
    ProtectedPaths accountDataPaths() {
        return () -> List.of(AccountData.PATH, AccountData.PATH + "/**");
    }
}
