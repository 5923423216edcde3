"""Page-number pagination: 50 a page, `page_size` up to 200. Kept apart: DRF settings import it early."""

from rest_framework.pagination import PageNumberPagination


class ApiPagination(PageNumberPagination):
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200
