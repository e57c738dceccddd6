-- Version 32: a task may have 1000 labels of up to 64 characters, and a dataset's label histogram
-- names each label with its count: 4000 characters held about 200 of them, so registering a
-- dataset of a larger task failed. Room now for every label of the largest task.
ALTER TABLE dataset_registration ALTER COLUMN label_histogram SET DATA TYPE VARCHAR(100000);
