package io.tapswitch.ops;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The Grafana dashboards are valid dashboard JSON that Grafana can provision.
 */
class DashboardsTest
{
    @Test
    void shouldShipTheThreeDashboards()
    {
        assertThat(OpsFiles.dashboardFiles()).extracting(p -> p.getFileName().toString())
            .containsExactly("admin-and-cases.json", "aid-and-meals.json", "switch.json");
    }

    @Test
    void shouldBeValidDashboardsWithUniquePanelIdsAndADatasourceVariable()
    {
        final Set<String> uids = new HashSet<>();
        for (final Path file : OpsFiles.dashboardFiles())
        {
            final JsonObject dashboard = OpsFiles.dashboard(file);
            assertThat(dashboard.getInteger("schemaVersion")).as(file + " schemaVersion").isGreaterThanOrEqualTo(36);
            assertThat(dashboard.getString("title")).as(file + " title").isNotBlank();
            assertThat(uids.add(dashboard.getString("uid"))).as(file + " uid is unique").isTrue();
            assertThat(dashboard.getString("uid")).as(file + " uid length").hasSizeLessThanOrEqualTo(40);

            final JsonArray variables = dashboard.getJsonObject("templating").getJsonArray("list");
            final boolean hasDatasource = variables.stream().map(JsonObject.class::cast)
                .anyMatch(v -> "datasource".equals(v.getString("type")) && "prometheus".equals(v.getString("query"))
                    && "datasource".equals(v.getString("name")));
            assertThat(hasDatasource).as(file + " has a prometheus datasource variable named 'datasource'").isTrue();

            final List<JsonObject> panels = OpsFiles.panels(dashboard);
            final Set<Integer> ids = new HashSet<>();
            for (final JsonObject panel : panels)
            {
                final String where = file.getFileName() + " panel '" + panel.getString("title") + "'";
                assertThat(panel.getInteger("id")).as(where + " id").isNotNull();
                assertThat(ids.add(panel.getInteger("id"))).as(where + " id is unique").isTrue();
                assertThat(panel.getString("type")).as(where + " type").isIn("row", "timeseries", "stat", "table", "gauge", "bargauge");
                final JsonObject grid = panel.getJsonObject("gridPos");
                assertThat(grid.getInteger("x") + grid.getInteger("w")).as(where + " fits the 24-column grid").isLessThanOrEqualTo(24);
                if (!"row".equals(panel.getString("type")))
                {
                    assertThat(panel.getJsonObject("datasource").getString("uid")).as(where + " datasource").isEqualTo("${datasource}");
                    final JsonArray targets = panel.getJsonArray("targets");
                    assertThat(targets).as(where + " targets").isNotNull();
                    assertThat(targets.size()).as(where + " has queries").isPositive();
                    for (int i = 0; i < targets.size(); i++)
                    {
                        final JsonObject target = targets.getJsonObject(i);
                        assertThat(target.getString("expr")).as(where + " expr").isNotBlank();
                        assertThat(PromQl.metricNames(target.getString("expr"))).as(where + " reads a metric").isNotEmpty();
                    }
                }
            }
        }
    }
}
