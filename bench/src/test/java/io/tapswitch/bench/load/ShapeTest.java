package io.tapswitch.bench.load;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;

import org.junit.jupiter.api.Test;

/**
 * The shapes {@code bench load --scenario} runs, and the demo terminals the switch is started with for them: the
 * 10 000-terminal shape of issue 14 needs a switch that knows 10 000 terminals, the others the user's 2 000.
 */
class ShapeTest
{
    @Test
    void shouldRunTenThousandTerminalsAtFiveThousandTapsPerSecondUnderItsName()
    {
        final Shape shape = Shape.byName("fleet-10k");

        assertThat(shape.connections()).isEqualTo(10_000);
        assertThat(shape.inFlight()).isEqualTo(1);
        assertThat(shape.isFixedRate()).isTrue();
        assertThat(shape.ratePerSecond()).isEqualTo(5_000.0);
        assertThatThrownBy(() -> Shape.byName("fleet-20k")).hasMessageContaining("fleet-10k");
    }

    @Test
    void shouldStartTheSwitchWithAsManyDemoTerminalsAsTheLargestShapeConnects()
    {
        assertThat(LoadCommand.demoTerminals(List.of(Shape.values()))).isEqualTo(10_000);
        assertThat(LoadCommand.demoTerminals(List.of(Shape.FLEET_10K))).isEqualTo(10_000);
        assertThat(LoadCommand.demoTerminals(List.of(Shape.ROUND_TRIP, Shape.FIXED_RATE))).isEqualTo(2_000);
    }
}
