package org.civitas.batch.quality;

import jakarta.batch.api.BatchProperty;
import jakarta.batch.api.partition.PartitionMapper;
import jakarta.batch.api.partition.PartitionPlan;
import jakarta.batch.api.partition.PartitionPlanImpl;
import jakarta.enterprise.context.Dependent;
import jakarta.inject.Inject;
import jakarta.inject.Named;

import javax.naming.InitialContext;
import java.util.Properties;

/** Cuts the manifest into shards of {@code shardLines} lines, one partition each, two running at a time. */
@Dependent
@Named("qualityPartitionMapper")
public class QualityPartitionMapper implements PartitionMapper {

    @Inject
    @BatchProperty
    String runId;

    @Inject
    @BatchProperty
    String shardLines;

    @Override
    public PartitionPlan mapPartitions() throws Exception {
        DataQualitySteps steps = InitialContext.doLookup(DataQualitySteps.JNDI_NAME);
        int lines = steps.lineCount(Long.parseLong(runId));
        int shard = shardLines == null || shardLines.isBlank() ? 200 : Integer.parseInt(shardLines);
        if (shard < 1) {
            throw new IllegalArgumentException("shardLines must be at least 1, was " + shard);
        }
        int partitions = Math.max(1, (lines + shard - 1) / shard);
        Properties[] props = new Properties[partitions];
        for (int p = 0; p < partitions; p++) {
            props[p] = new Properties();
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
