import pytest

from tests.conftest import PERSONAS


@pytest.mark.django_db
def test_world_has_every_persona(world):
    for name in PERSONAS[1:]:
        assert world.persona(name).pk is not None
    assert world.project.memberships.count() == 4
