package io.tapswitch.admin.ingest;

import java.util.Arrays;
import java.util.Set;

/**
 * What the ingester keeps of each row of the batch in hand, for its counters: receipt, program, outlet, quantity,
 * whether the row handed something out, and whether it was inserted (a receipt already stored was not).
 * <p>
 * Not thread-safe: the ingester's thread only.
 */
final class BatchRows
{
    long[] receipt = new long[1024];
    int[] program = new int[1024];
    int[] outlet = new int[1024];
    int[] quantity = new int[1024];
    boolean[] handedOut = new boolean[1024];
    boolean[] inserted = new boolean[1024];
    int size;

    void clear()
    {
        size = 0;
    }

    void add(final long receipt, final int program, final int outlet, final int quantity, final boolean handedOut)
    {
        if (size == this.receipt.length)
        {
            final int capacity = size * 2;
            this.receipt = Arrays.copyOf(this.receipt, capacity);
            this.program = Arrays.copyOf(this.program, capacity);
            this.outlet = Arrays.copyOf(this.outlet, capacity);
            this.quantity = Arrays.copyOf(this.quantity, capacity);
            this.handedOut = Arrays.copyOf(this.handedOut, capacity);
            this.inserted = Arrays.copyOf(this.inserted, capacity);
        }
        this.receipt[size] = receipt;
        this.program[size] = program;
        this.outlet[size] = outlet;
        this.quantity[size] = quantity;
        this.handedOut[size] = handedOut;
        this.inserted[size] = false;
        size++;
    }

    void markAllInserted()
    {
        Arrays.fill(inserted, 0, size, true);
    }

    void markInserted(final Set<Long> receipts)
    {
        for (int i = 0; i < size; i++)
        {
            inserted[i] = receipts.contains(receipt[i]);
        }
    }
}
