/** The {@code pretrain-image-tower} job: an image tower pretrained on a public dataset at the coordinator. */
package org.civitas.batch.pretraining;
