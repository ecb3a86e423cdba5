package io.tapswitch.admin;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import io.tapswitch.admin.api.Api;
import io.tapswitch.admin.api.ApiModule;
import io.tapswitch.admin.api.ApiRoutes;
import io.tapswitch.admin.api.Contract;
import io.tapswitch.admin.outbox.SwitchCommand;
import io.tapswitch.formats.command.CommandType;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Tuple;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static io.tapswitch.admin.AdminHarness.AUDITOR;
import static io.tapswitch.admin.AdminHarness.DISTRICT;
import static io.tapswitch.admin.AdminHarness.awaitTrue;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The extension point for other parts of the API (workflows, reports): a module's contract fragment is merged and
 * enforced like the service's own, and its writes go through the same transaction, audit and outbox.
 */
class ApiModuleTest
{
    @TempDir
    Path dataDir;
    @TempDir
    Path switchDir;

    /** A module that stores nothing of its own: it audits a note and sends a household command. */
    static final class NotesModule implements ApiModule
    {
        @Override
        public String name()
        {
            return "notes";
        }

        @Override
        public String contractResource()
        {
            return "extension/notes-api.yaml";
        }

        @Override
        public void mount(final AdminContext context, final ApiRoutes routes)
        {
            routes.json("createNote", 201, request ->
            {
                final JsonObject body = Api.body(request.rc());
                return context.write(conn -> conn.preparedQuery("SELECT id FROM cardholders WHERE id = $1")
                    .execute(Tuple.of(body.getLong("holderId")))
                    .compose(rows -> context.command(conn, SwitchCommand.setHousehold(body.getLong("holderId"), 0)))
                    .compose(commandId -> context.audit(conn, request.principal(), "note.create", "note", commandId, null, body)
                        .map(v -> new JsonObject().put("commandId", commandId))));
            });
        }
    }

    @Test
    void shouldMergeValidateAuthorizeAndAuditAModulesOperations() throws Exception
    {
        final String db = TestPostgres.newDatabase();
        final AdminService service = new AdminService(AdminHarness.config(db, dataDir, switchDir).conclude()).addModule(new NotesModule());
        service.start().toCompletionStage().toCompletableFuture().get(2, TimeUnit.MINUTES);
        try
        {
            final java.net.http.HttpClient http = java.net.http.HttpClient.newHttpClient();
            final String base = service.baseUrl() + "/api/v1/notes";
            assertThat(post(http, base, DISTRICT, "{\"holderId\": 5, \"text\": \"called\", \"extra\": 1}").statusCode()).isEqualTo(400);
            assertThat(post(http, base, AUDITOR, "{\"holderId\": 5, \"text\": \"called\"}").statusCode()).isEqualTo(403);
            final java.net.http.HttpResponse<String> created = post(http, base, DISTRICT, "{\"holderId\": 5, \"text\": \"called\"}");
            assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
            assertThat(TestPostgres.queryLong(db, "SELECT count(*) FROM audit_log WHERE action = 'note.create' AND actor = 'taras'"))
                .isEqualTo(1);
            awaitTrue("module command published", 10_000, () -> CommandQueueReader.readAll(switchDir).size() == 1);
            assertThat(CommandQueueReader.readAll(switchDir).get(0).type()).isEqualTo(CommandType.SET_HOUSEHOLD);
            final java.net.http.HttpResponse<String> contract = http.send(java.net.http.HttpRequest.newBuilder(
                java.net.URI.create(service.baseUrl() + "/api/v1/openapi.yaml")).build(), java.net.http.HttpResponse.BodyHandlers.ofString());
            assertThat(contract.body()).contains("createNote", "NoteInputX", "listCards");
        }
        finally
        {
            service.stop().toCompletionStage().toCompletableFuture().get(1, TimeUnit.MINUTES);
        }
    }

    @Test
    void shouldRefuseFragmentsThatRedefineOrLackRoles()
    {
        assertThatThrownBy(() -> Contract.load("openapi.yaml", List.of("extension/notes-api.yaml", "extension/notes-api.yaml")))
            .isInstanceOf(IllegalStateException.class).hasMessageContaining("redefines paths//notes");
        assertThatThrownBy(() -> Contract.load("openapi.yaml", List.of("extension/no-roles-api.yaml")))
            .isInstanceOf(IllegalStateException.class).hasMessageContaining("has neither x-roles nor x-public");
    }

    private static java.net.http.HttpResponse<String> post(final java.net.http.HttpClient http, final String url, final String token,
        final String body) throws Exception
    {
        return http.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(url))
            .header("Authorization", "Bearer " + token).header("Content-Type", "application/json")
            .POST(java.net.http.HttpRequest.BodyPublishers.ofString(body)).build(), java.net.http.HttpResponse.BodyHandlers.ofString());
    }
}
