"""Celery tasks of the indicators app: thin wrappers around ``indicators.jobs``."""
from celery import shared_task

from indicators import jobs


@shared_task(acks_late=True, ignore_result=True)
def run_import_job(job_id):
    """Import the job's file (all or nothing); a job that is not pending is left alone."""
    return jobs.run_import_job(job_id)


@shared_task(acks_late=True, ignore_result=True)
def run_export_job(job_id):
    """Write the job's export file; a job that is not pending is left alone."""
    return jobs.run_export_job(job_id)


@shared_task(acks_late=True, ignore_result=True)
def delete_old_job_files():
    """Daily (beat): delete the files of jobs finished more than ``JOB_FILES_KEEP_DAYS`` ago."""
    return jobs.delete_old_job_files()
