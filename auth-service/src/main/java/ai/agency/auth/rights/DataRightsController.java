package ai.agency.auth.rights;

import ai.agency.auth.account.AccountService;
import ai.agency.auth.mfa.MfaService;
import ai.agency.auth.oidc.ReauthTokens;
import ai.agency.common.error.AgencyException;
import ai.agency.common.security.Caller;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.validation.constraints.Size;
import java.io.IOException;
import java.util.Map;
import java.util.UUID;
import org.jspecify.annotations.Nullable;
import org.springframework.http.HttpStatus;
import org.springframework.security.access.prepost.PreAuthorize;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.bind.annotation.RestController;

/**
 * A user's data rights over HTTP: the export of everything (theirs, or any user's for an admin) and the erasure of an
 * account (by its owner, re-authenticated, or by an admin), with the admin's view of an erasure's progress.
 */
@RestController
class DataRightsController {

    record DeleteAccountRequest(
            @Size(max = 1024) @Nullable String password,
            @Size(max = 32) @Nullable String totpCode,
            @Size(max = 200) @Nullable String reauthToken) {}

    private final Erasures erasures;
    private final Exports exports;
    private final AccountService accounts;
    private final MfaService mfa;
    private final ReauthTokens reauthTokens;

    DataRightsController(
            Erasures erasures, Exports exports, AccountService accounts, MfaService mfa, ReauthTokens reauthTokens) {
        this.erasures = erasures;
        this.exports = exports;
        this.accounts = accounts;
        this.mfa = mfa;
        this.reauthTokens = reauthTokens;
    }

    // ----------------------------------------------------------------------------------------------- erasure

    @DeleteMapping("/api/v1/users/me")
    @ResponseStatus(HttpStatus.ACCEPTED)
    Map<String, UUID> deleteMe(
            Caller caller,
            @RequestBody @jakarta.validation.Valid DeleteAccountRequest request,
            HttpServletRequest http) {
        caller.requireOwnSignIn("delete the account");
        String address = http.getRemoteAddr();
        if (request.reauthToken() != null && !request.reauthToken().isBlank()) {
            // a provider sign-in less than 5 minutes old (accounts without a password)
            if (!reauthTokens.consume(caller.id(), request.reauthToken())) {
                throw AgencyException.forbidden("The reauthToken does not confirm this change: it is unknown, used,"
                                + " older than 5 minutes or another account's; sign in with the provider again")
                        .withProperty("reason", "bad_reauth_token");
            }
        } else if (!accounts.get(caller.id()).hasPassword()) {
            throw AgencyException.invalidField(
                    "reauthToken",
                    "required: this account has no password; sign in with its provider again and send the"
                            + " reauthToken of that sign-in");
        } else {
            accounts.reauthenticate(caller.id(), request.password(), null, address);
        }
        if (mfa.enabled(caller.id())) {
            if (request.totpCode() == null || request.totpCode().isBlank()) {
                throw AgencyException.invalidField(
                        "totpCode", "required: two-factor authentication is on for this account");
            }
            accounts.reauthenticate(caller.id(), null, request.totpCode(), address);
        }
        return Map.of("erasureId", erasures.start(caller.id(), null));
    }

    @DeleteMapping("/api/v1/admin/users/{id}")
    @PreAuthorize("hasRole('admin')")
    @ResponseStatus(HttpStatus.ACCEPTED)
    Map<String, UUID> deleteUser(Caller caller, @PathVariable UUID id) {
        return Map.of("erasureId", erasures.start(id, caller.id()));
    }

    @GetMapping("/api/v1/admin/erasures/{id}")
    @PreAuthorize("hasRole('admin')")
    Erasures.ErasureView erasure(@PathVariable UUID id) {
        return erasures.view(id);
    }

    // ----------------------------------------------------------------------------------------------- export

    @PostMapping("/api/v1/users/me/export")
    @ResponseStatus(HttpStatus.ACCEPTED)
    Map<String, UUID> exportMe(Caller caller) {
        caller.requireOwnSignIn("export the account");
        return Map.of("exportId", exports.request(caller.id(), null));
    }

    @GetMapping("/api/v1/users/me/exports/{id}")
    Exports.ExportView myExport(Caller caller, @PathVariable UUID id) {
        return exports.view(id, caller.id());
    }

    @GetMapping("/api/v1/users/me/exports/{id}/download")
    void downloadMine(Caller caller, @PathVariable UUID id, HttpServletResponse response) throws IOException {
        download(id, caller.id(), response);
    }

    @PostMapping("/api/v1/admin/users/{id}/export")
    @PreAuthorize("hasRole('admin')")
    @ResponseStatus(HttpStatus.ACCEPTED)
    Map<String, UUID> exportUser(Caller caller, @PathVariable UUID id) {
        return Map.of("exportId", exports.request(id, caller.id()));
    }

    @GetMapping("/api/v1/admin/exports/{id}")
    @PreAuthorize("hasRole('admin')")
    Exports.ExportView anyExport(@PathVariable UUID id) {
        return exports.view(id, null);
    }

    @GetMapping("/api/v1/admin/exports/{id}/download")
    @PreAuthorize("hasRole('admin')")
    void downloadAny(@PathVariable UUID id, HttpServletResponse response) throws IOException {
        download(id, null, response);
    }

    private void download(UUID id, @Nullable UUID owner, HttpServletResponse response) throws IOException {
        Exports.ExportView export = exports.view(id, owner);
        if (!export.status().equals("ready")) {
            throw AgencyException.conflict(
                    "The export is " + export.status() + ", not ready (progress " + export.progress() + ")");
        }
        response.setContentType("application/zip");
        response.setHeader("Content-Disposition", "attachment; filename=\"agency-export-" + id + ".zip\"");
        if (export.size() != null) {
            response.setContentLengthLong(export.size());
        }
        exports.download(id, owner, response.getOutputStream());
    }
}
