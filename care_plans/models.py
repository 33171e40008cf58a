"""Needs assessments and care plans (asiakassuunnitelma): models come with their issues."""
