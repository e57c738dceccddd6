package org.civitas.batch.scoring;

import jakarta.batch.api.BatchProperty;
import jakarta.batch.api.partition.PartitionMapper;
import jakarta.batch.api.partition.PartitionPlan;
import jakarta.batch.api.partition.PartitionPlanImpl;
import jakarta.enterprise.context.Dependent;
import jakarta.inject.Inject;
import jakarta.inject.Named;

import javax.naming.InitialContext;
import java.util.Properties;

/**
 * Cuts the manifest into shards of the run's lines, one partition each. Two run at a time: the
 * site has one model worker, and two partitions keep it busy while the other reads and writes.
 */
@Dependent
@Named("scoringPartitionMapper")
public class ScoringPartitionMapper implements PartitionMapper {

    @Inject
    @BatchProperty
    String runId;

    @Override
    public PartitionPlan mapPartitions() throws Exception {
        BatchScoringSteps steps = InitialContext.doLookup(BatchScoringSteps.JNDI_NAME);
        long run = Long.parseLong(runId);
        int lines = steps.lineCount(run);
        int shard = steps.shardLines(run);
        int partitions = Math.max(1, (lines + shard - 1) / shard);
        Properties[] props = new Properties[partitions];
        for (int p = 0; p < partitions; p++) {
            props[p] = new Properties();
            props[p].setProperty("partition", Integer.toString(p));
            props[p].setProperty("firstLine", Integer.toString(p * shard + 1));
            props[p].setProperty("lastLine", Integer.toString(Math.min(lines, (p + 1) * shard)));
        }
        PartitionPlanImpl plan = new PartitionPlanImpl();
        plan.setPartitions(partitions);
        plan.setThreads(Math.min(partitions, 2));
        plan.setPartitionProperties(props);
        return plan;
    }
}
