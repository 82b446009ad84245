package ai.agency.common.accountdata;

import ai.agency.common.error.AgencyException;
import ai.agency.common.security.Caller;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RestController;
import tools.jackson.databind.json.JsonMapper;

/**
 * The account-data endpoints of a service, for auth-service's export and erasure jobs. The user is the token's
 * subject; the token must carry scope {@code account_data} ({@link ai.agency.common.security.ScopeRule}), which no
 * login and no API key has.
 *
 * <ul>
 *   <li>{@code GET /internal/account-data/kinds} → {@code {service, kinds: [...]}}
 *   <li>{@code GET /internal/account-data/export/{kind}} → {@code application/x-ndjson}, one record per line,
 *       streamed
 *   <li>{@code DELETE /internal/account-data} → {@code {service, erased: {kind: rows}}}
 * </ul>
 */
@RestController
public class AccountDataController {

    public static final String NDJSON = "application/x-ndjson";

    private static final JsonMapper JSON = JsonMapper.builder().build();

    private final String service;
    private final Map<String, AccountData> byKind = new LinkedHashMap<>();
    private final List<AccountData> all;

    public AccountDataController(String service, List<AccountData> beans) {
        this.service = service;
        this.all = List.copyOf(beans);
        for (AccountData bean : beans) {
            for (String kind : bean.kinds()) {
                if (!kind.matches("[a-z][a-z_]*")) {
                    throw new IllegalStateException("account-data kind '" + kind + "' of " + bean + " is not [a-z_]+");
                }
                if (byKind.putIfAbsent(kind, bean) != null) {
                    throw new IllegalStateException("account-data kind '" + kind + "' is declared twice");
                }
            }
        }
    }

    @GetMapping(AccountData.PATH + "/kinds")
    Map<String, Object> kinds(Caller caller) {
        return Map.of("service", service, "kinds", new ArrayList<>(byKind.keySet()));
    }

    @GetMapping(AccountData.PATH + "/export/{kind}")
    void export(Caller caller, @PathVariable String kind, HttpServletResponse response) throws IOException {
        AccountData bean = byKind.get(kind);
        if (bean == null) {
            throw AgencyException.notFound("account-data kind", kind);
        }
        response.setContentType(NDJSON);
        response.setCharacterEncoding("UTF-8");
        OutputStream out = response.getOutputStream();
        bean.export(caller.id(), kind, record -> {
            out.write(JSON.writeValueAsBytes(record));
            out.write('\n');
        });
        out.flush();
    }

    @DeleteMapping(AccountData.PATH)
    Map<String, Object> erase(Caller caller) {
        Map<String, Long> erased = new LinkedHashMap<>();
        for (AccountData bean : all) {
            erased.putAll(bean.erase(caller.id()));
        }
        return Map.of("service", service, "erased", erased);
    }
}
