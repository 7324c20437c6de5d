"""Re-audits: review tasks, audits and corrective actions, the scheduler and its sweeps, notifications."""
