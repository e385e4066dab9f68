"""Celery tasks of the indicators app: thin wrappers around ``indicators.jobs``."""
from celery import shared_task

from indicators import jobs

# The soft limit raises SoftTimeLimitExceeded in the job, which then fails with the reason and
# keeps nothing; the hard limit kills its process (see ``indicators.jobs``).
JOB_TIME_LIMITS = {"soft_time_limit": jobs.soft_time_limit(), "time_limit": jobs.hard_time_limit()}


@shared_task(acks_late=True, ignore_result=True, **JOB_TIME_LIMITS)
def run_import_job(job_id):
    """Import the job's file (all or nothing); again from the start if a worker died while it ran."""
    return jobs.run_import_job(job_id)


@shared_task(acks_late=True, ignore_result=True, **JOB_TIME_LIMITS)
def run_export_job(job_id):
    """Write the job's export file; again from the start if a worker died while it ran."""
    return jobs.run_export_job(job_id)


@shared_task(acks_late=True, ignore_result=True)
def delete_old_job_files():
    """Daily (beat): delete the files of jobs finished more than ``JOB_FILES_KEEP_DAYS`` ago."""
    return jobs.delete_old_job_files()


@shared_task(acks_late=True, ignore_result=True)
def fail_overdue_jobs():
    """Every minute (beat): mark failed, with the reason, every job running past its time limit."""
    return jobs.fail_overdue_jobs()
