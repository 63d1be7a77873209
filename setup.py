"""Builds the compiled scoring core (moderation/_kernel.pyx); everything else is in pyproject.toml."""

from Cython.Build import cythonize
from setuptools import Extension, setup

setup(
    ext_modules=cythonize(
        [Extension("moderation._kernel", ["moderation/_kernel.pyx"])],
        compiler_directives={"language_level": "3"},
    )
)
