package org.civitas.domain.scoring;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.IdClass;
import jakarta.persistence.Table;

import java.io.Serializable;
import java.util.Objects;

/**
 * How many lines one partition of a scoring run has written, set (not added to) after each chunk:
 * a chunk repeated after a restart leaves the count right. Only its own partition writes a row.
 */
@Entity
@Table(name = "scoring_partition")
@IdClass(ScoringPartition.Key.class)
public class ScoringPartition {

    public static class Key implements Serializable {
        private static final long serialVersionUID = 1L;
        private long runId;
        private int partitionNo;

        public Key() {
        }

        public Key(long runId, int partitionNo) {
            this.runId = runId;
            this.partitionNo = partitionNo;
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Key k && k.runId == runId && k.partitionNo == partitionNo;
        }

        @Override
        public int hashCode() {
            return Objects.hash(runId, partitionNo);
        }
    }

    @Id
    @Column(name = "run_id")
    private long runId;

    @Id
    @Column(name = "partition_no")
    private int partitionNo;

    @Column(name = "lines_done", nullable = false)
    private int linesDone;

    protected ScoringPartition() {
    }

    public ScoringPartition(long runId, int partitionNo, int linesDone) {
        this.runId = runId;
        this.partitionNo = partitionNo;
        this.linesDone = linesDone;
    }

    public void linesDone(int lines) {
        this.linesDone = lines;
    }

    public long getRunId() {
        return runId;
    }

    public int getPartitionNo() {
        return partitionNo;
    }

    public int getLinesDone() {
        return linesDone;
    }
}
